using LightMesh.Core.Releases;
using LightMesh.DurableExecution;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.Releases.Requests;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Leadership;

/// <summary>
/// The leader's loop over active group releases: at each interval, every active group is decided again from its
/// members' releases (<see cref="ReleaseGroupDecider"/>), its new state saved (guarded by the revision read, fenced by
/// the term) and only then its commands carried out: members started (each start guarded by the group's revision, so
/// a group aborted or paused meanwhile starts nothing), aborted, or reverted, and an operator's group action carried to
/// the members the controller that took it did not reach. Everything it does is recorded before it is done
/// and idempotent, so a controller killed anywhere leaves the next leader exactly where this one was.
/// </summary>
public sealed class ReleaseGroupRunner(
    ReleaseGroupStore groups,
    ReleaseService service,
    ReleaseGroups actions,
    LeaderTerm leader,
    TimeProvider time,
    ReleaseEngineOptions options,
    ILogger<ReleaseGroupRunner> logger) : ITermLoop
{
    // Decisions per group per interval: each saves something or carries something out, so a group never spins.
    private const int MaxRounds = 10;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    foreach (var id in await groups.ActiveIdsAsync(cancellationToken))
                    {
                        // One group that cannot be read or moved (etcd away, a record that is not one) holds up no other.
                        try
                        {
                            await AdvanceAsync(id, cancellationToken);
                        }
                        catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException && e is not NotLeaderException && !cancellationToken.IsCancellationRequested)
                        {
                            Telemetry.Log.GroupFailed(logger, id, options.GroupInterval, e);
                        }
                    }

                }
                catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException && e is not NotLeaderException && !cancellationToken.IsCancellationRequested)
                {
                    Telemetry.Log.GroupsFailed(logger, options.GroupInterval, e);
                }

                await Task.Delay(options.GroupInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
    }

    /// <summary>Moves one group on as far as it goes now.</summary>
    public async Task AdvanceAsync(string id, CancellationToken cancellationToken)
    {
        for (var round = 0; round < MaxRounds; round++)
        {
            var (group, revision) = await groups.GetAsync(id, cancellationToken);
            if (group is null || group.IsFinished)
            {
                return;
            }

            var decision = ReleaseGroupDecider.Decide(group, await actions.MemberReleasesAsync(group, cancellationToken), time.GetUtcNow());
            if (!ReferenceEquals(decision.State, group))
            {
                (var outcome, revision) = await groups.SaveAsync(decision.State, revision, leader, cancellationToken);
                if (outcome == ReleaseWriteOutcome.NotLeader)
                {
                    throw new NotLeaderException(leader.Revision);
                }

                if (outcome == ReleaseWriteOutcome.Conflict)
                {
                    continue; // an operator acted meanwhile: decide again from what it is now
                }

                Log(group, decision.State);
            }

            if (decision.Commands.Count == 0)
            {
                return;
            }

            foreach (var command in decision.Commands)
            {
                await CarryOutAsync(decision.State, revision, command, cancellationToken);
            }
        }
    }

    private async Task CarryOutAsync(ReleaseGroupState group, long revision, GroupCommand command, CancellationToken cancellationToken)
    {
        if (command is ActOnMember act)
        {
            // Whatever the member answers (done, refused, gone), the action has reached it.
            await actions.ActOnMemberAsync(group.Id, act, cancellationToken);
            return;
        }

        var actor = $"group {group.Id}";
        var (outcome, errors) = command switch
        {
            StartMember start => Answer(await service.StartAsync(
                new StartRequest { Service = start.Service, Version = start.Version, Workflow = start.Workflow, Id = start.ReleaseId, Actor = actor, Group = new GroupStart(group.Id, revision) { Analysis = group.Spec.Analysis } },
                cancellationToken)),
            AbortMember abort => Answer(await service.ActAsync(abort.ReleaseId, OperatorAction.Abort, $"{actor} ({abort.Reason})", cancellationToken)),
            RevertMember revert => Answer(await service.RevertAsync(revert.Service, revert.Version, revert.RevertId, new GroupStart(group.Id, revision), cancellationToken)),
            _ => throw new InvalidOperationException($"no way to carry out {command.GetType().Name}"),
        };
        if (outcome is ReleaseOutcome.Done or ReleaseOutcome.AlreadyStarted)
        {
            return;
        }

        Telemetry.Log.GroupCommandRefused(logger, group.Id, command.Service, command.GetType().Name, string.Join("; ", errors));
        if (command is StartMember && outcome is ReleaseOutcome.Invalid or ReleaseOutcome.NotFound)
        {
            // Refused for good: the member fails the group. A conflict (the group changed, the service busy) is decided again.
            var (fresh, at) = await groups.GetAsync(group.Id, cancellationToken);
            if (fresh is not null)
            {
                await groups.SaveAsync(ReleaseGroupDecider.MemberNotStarted(fresh, command.Service, string.Join("; ", errors), time.GetUtcNow()), at, leader, cancellationToken);
            }
        }
    }

    private static (ReleaseOutcome Outcome, IReadOnlyList<string> Errors) Answer(ReleaseResult result) => (result.Outcome, result.Errors);

    private void Log(ReleaseGroupState before, ReleaseGroupState after)
    {
        foreach (var logged in after.Events.Skip(before.Events.Count))
        {
            Telemetry.Log.GroupEvent(logger, after.Id, logged.Action, logged.Reason);
        }
    }
}
