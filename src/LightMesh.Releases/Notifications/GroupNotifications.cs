using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.DurableExecution;
using LightMesh.Releases.Leadership;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Notifications;

/// <summary>
/// Tells each group release's notification URLs (its group workflow's <c>notifications</c>) of its transitions, for one
/// leadership term, beside the group runner so that a slow receiver never holds a group back. The group's log in etcd
/// is the outbox: <see cref="ReleaseGroupState.Notified"/> counts the events told, and the leader tells the rest in
/// order, moving the count after each (a write guarded by the group's revision and fenced by the term). At least once,
/// never lost: a group that ended is told its last events as well, and a leader that dies between telling an event and
/// recording it has the next leader tell it again; a receiver tells a repeat by the group id and the event's sequence.
/// Each round reads only the groups with something to tell (<c>untoldgroups/</c>); the first of a term reads every group,
/// for those stored before that index.
/// </summary>
public sealed class GroupNotifications(
    ReleaseGroupStore groups, NotificationSender sender, LeaderTerm leader, TimeProvider time, ReleaseEngineOptions options, ILogger<GroupNotifications> logger) : ITermLoop
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var everyGroup = true;
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var untold = everyGroup
                        ? (await groups.ListAsync(cancellationToken)).Where(g => g.HasUntold).Select(g => g.Id).ToList()
                        : await groups.UntoldIdsAsync(cancellationToken);
                    foreach (var id in untold)
                    {
                        await TellAsync(id, cancellationToken);
                    }

                    everyGroup = false;
                }
                catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException && e is not NotLeaderException && !cancellationToken.IsCancellationRequested)
                {
                    Log.NotificationsInterrupted(logger, e);
                }

                await Task.Delay(options.GroupInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended; the next leader tells what is left.
        }
    }

    /// <summary>Tells the group's URLs its untold events in order, recording each on the group as it is then (the runner may have saved it meanwhile).</summary>
    private async Task TellAsync(string id, CancellationToken cancellationToken)
    {
        var (group, revision) = await groups.GetAsync(id, cancellationToken);
        while (group is { HasUntold: true })
        {
            var sequence = group.Notified;
            foreach (var url in group.Spec.Notifications)
            {
                await sender.SendGroupAsync(group, sequence, group.Events[sequence], url, cancellationToken);
            }

            while (group is not null && group.Notified == sequence)
            {
                var told = group with { Notified = sequence + 1 };
                (var outcome, var at) = await groups.SaveAsync(told, revision, leader, cancellationToken);
                if (outcome == ReleaseWriteOutcome.NotLeader)
                {
                    throw new NotLeaderException(leader.Revision);
                }

                (group, revision) = outcome == ReleaseWriteOutcome.Written ? (told, at) : await groups.GetAsync(id, cancellationToken);
            }
        }
    }
}
