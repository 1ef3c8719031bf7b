using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Core.Scheduling;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.Etcd.Scheduling;
using LightMesh.Releases.Telemetry;
using LightMesh.DurableExecution;
using Microsoft.Extensions.Logging;
using LightMesh.Releases.Leadership;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Scheduling;

/// <summary>
/// Fires the stored Schedules for one leadership term. Each tick reads the schedules and their last firings; a firing
/// time that is due is first claimed in etcd (guarded by the firing as read and fenced by the term, so no two
/// controllers act on one time), then its release is started under an id made from the schedule and the time. A new
/// leader that finds a claim whose release it cannot see starts it again under the same id: never twice.
/// </summary>
public sealed class ScheduleRunner(DocumentStore documents, ScheduleStore store, ReleaseService releases, ReleaseGroups groups, LeaderTerm leader, TimeProvider time, TimeSpan tick, ILogger<ScheduleRunner> logger) : ITermLoop
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(cancellationToken);
            }
            catch (NotLeaderException)
            {
                return; // the term is over; the next leader fires
            }
            catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException && !cancellationToken.IsCancellationRequested)
            {
                Log.SchedulesFailed(logger, e);
            }

            try
            {
                await Task.Delay(tick, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Acts on every schedule that is due now; returns how many firings it acted on.</summary>
    public async Task<int> TickAsync(CancellationToken cancellationToken)
    {
        var schedules = (await documents.ListAsync(DocumentKind.Schedule, cancellationToken)).OfType<Schedule>().ToDictionary(s => s.Name, StringComparer.Ordinal);
        var firings = await store.FiringsAsync(cancellationToken);
        var acted = 0;
        foreach (var (name, (_, revision)) in firings.Where(f => !schedules.ContainsKey(f.Key)))
        {
            await store.ForgetAsync(name, revision, leader, cancellationToken);
        }

        foreach (var schedule in schedules.Values)
        {
            var now = time.GetUtcNow();
            if (!firings.TryGetValue(schedule.Name, out var last))
            {
                Check(await store.SaveAsync(schedule.Name, new ScheduleFiring(now, null, FiringOutcome.Waiting), 0, leader, cancellationToken));
                continue;
            }

            if (last.Firing.Outcome == FiringOutcome.Starting)
            {
                // A claim whose start did not finish (the last leader died in between): finish it, under the same id.
                await StartAsync(schedule, last.Firing, last.ModRevision, cancellationToken);
                acted++;
                continue;
            }

            switch (ScheduleClock.Check(schedule.Spec, last.Firing.Since, last.Firing.ScheduledAt, now))
            {
                case Due due:
                    var claim = await ClaimAsync(schedule, last.Firing, last.ModRevision, due.ScheduledAt, cancellationToken);
                    if (claim is { } claimed)
                    {
                        await StartAsync(schedule, claimed.Firing, claimed.ModRevision, cancellationToken);
                    }

                    acted++;
                    break;
                case PassedOver passed:
                    await EndAsync(schedule.Name, last.Firing with { ScheduledAt = passed.ScheduledAt }, last.ModRevision, FiringOutcome.Skipped, passed.Reason, cancellationToken);
                    acted++;
                    break;
            }
        }

        return acted;
    }

    /// <summary>Claims the firing at <paramref name="scheduledAt"/>; null when there is nothing to release (recorded as skipped) or another controller got there first.</summary>
    private async Task<(ScheduleFiring Firing, long ModRevision)?> ClaimAsync(Schedule schedule, ScheduleFiring last, long revision, DateTimeOffset scheduledAt, CancellationToken cancellationToken)
    {
        var spec = schedule.Spec;
        if (spec.Group is { } groupName)
        {
            return await ClaimGroupAsync(schedule, groupName, last, revision, scheduledAt, cancellationToken);
        }

        var version = spec.Version ?? (await store.AnnouncementAsync(spec.Service!, cancellationToken))?.Version;
        if (version is null)
        {
            await EndAsync(schedule.Name, last with { ScheduledAt = scheduledAt }, revision, FiringOutcome.Skipped, $"no version of {spec.Service} announced by CI yet", cancellationToken);
            return null;
        }

        var claimed = last with { ScheduledAt = scheduledAt, Outcome = FiringOutcome.Starting, Release = ReleaseId(schedule.Name, spec.Service!, version, scheduledAt), Version = version, Message = null, At = time.GetUtcNow() };
        var (outcome, claimedAt) = await store.SaveAsync(schedule.Name, claimed, revision, leader, cancellationToken);
        Check((outcome, claimedAt));
        return outcome == ReleaseWriteOutcome.Written ? (claimed, claimedAt) : null;
    }

    /// <summary>
    /// Claims a group schedule's firing: every member's version (pinned, or the newest announced) and the group release's
    /// id are fixed in the claim. Null when a member has no version yet (recorded as skipped) or the group workflow is gone.
    /// </summary>
    private async Task<(ScheduleFiring Firing, long ModRevision)?> ClaimGroupAsync(Schedule schedule, string groupName, ScheduleFiring last, long revision, DateTimeOffset scheduledAt, CancellationToken cancellationToken)
    {
        var at = last with { ScheduledAt = scheduledAt };
        if ((await documents.ReadAsync(cancellationToken)).Find(DocumentKind.ReleaseGroupWorkflow, groupName)?.Document is not ReleaseGroupWorkflow group)
        {
            await EndAsync(schedule.Name, at, revision, FiringOutcome.Refused, $"no ReleaseGroupWorkflow named \"{groupName}\"", cancellationToken);
            return null;
        }

        var versions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in group.Spec.Members)
        {
            if ((schedule.Spec.Versions?.GetValueOrDefault(member.Service) ?? (await store.AnnouncementAsync(member.Service, cancellationToken))?.Version) is not { } version)
            {
                await EndAsync(schedule.Name, at, revision, FiringOutcome.Skipped, $"no version of {member.Service} announced by CI yet", cancellationToken);
                return null;
            }

            versions[member.Service] = version;
        }

        var id = ReleaseGroups.IdFor(groupName, $"schedule/{schedule.Name}/{scheduledAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}");
        var claimed = at with { Outcome = FiringOutcome.Starting, Release = null, Version = null, Group = id, Versions = versions, Message = null, At = time.GetUtcNow() };
        var (outcome, claimedAt) = await store.SaveAsync(schedule.Name, claimed, revision, leader, cancellationToken);
        Check((outcome, claimedAt));
        return outcome == ReleaseWriteOutcome.Written ? (claimed, claimedAt) : null;
    }

    /// <summary>Starts the claimed group release under its id; a start made already (by a leader that died before saying so) answers it.</summary>
    private async Task StartGroupAsync(Schedule schedule, ScheduleFiring claimed, long revision, CancellationToken cancellationToken)
    {
        var result = await groups.StartAsync(schedule.Spec.Group!, claimed.Versions!, $"schedule/{schedule.Name}", cancellationToken, claimed.Group);
        var (outcome, message) = result.Outcome switch
        {
            ReleaseOutcome.Done or ReleaseOutcome.AlreadyStarted =>
                (FiringOutcome.Started, $"started group release {claimed.Group} ({string.Join(", ", claimed.Versions!.Select(v => $"{v.Key} {v.Value}"))})"),
            // Every newest announced version is out already: nothing to release, which is not a failure.
            ReleaseOutcome.Invalid when result.Errors.All(e => e.Contains("already the stable version", StringComparison.Ordinal)) => (FiringOutcome.Skipped, string.Join("; ", result.Errors)),
            _ => (FiringOutcome.Refused, string.Join("; ", result.Errors)),
        };
        await EndAsync(schedule.Name, claimed, revision, outcome, message, cancellationToken);
    }

    private async Task StartAsync(Schedule schedule, ScheduleFiring claimed, long revision, CancellationToken cancellationToken)
    {
        if (claimed.Group is not null)
        {
            await StartGroupAsync(schedule, claimed, revision, cancellationToken);
            return;
        }

        var spec = schedule.Spec;
        if (await releases.GetAsync(claimed.Release!, cancellationToken) is not null)
        {
            await EndAsync(schedule.Name, claimed, revision, FiringOutcome.Started, $"started release {claimed.Release}", cancellationToken);
            return;
        }

        var result = await releases.StartAsync(new StartRequest
        {
            Id = claimed.Release, Service = spec.Service!, Version = claimed.Version!, Workflow = spec.EffectiveWorkflow,
            Args = spec.Args ?? new Dictionary<string, string>(), Actor = $"schedule/{schedule.Name}",
        }, cancellationToken);
        // Another runner may have started this very release meanwhile (it read the claim): that is a start, not a refusal.
        var exists = result.Outcome != ReleaseOutcome.Done && await releases.GetAsync(claimed.Release!, cancellationToken) is not null;
        var (outcome, message) = result.Outcome switch
        {
            _ when exists => (FiringOutcome.Started, $"started release {claimed.Release}"),
            ReleaseOutcome.Done => (FiringOutcome.Started, $"started release {claimed.Release} of {spec.Service} {claimed.Version}"),
            // The newest announced version is already out: nothing to release, which is not a failure.
            ReleaseOutcome.Invalid when spec.Version is null && result.Errors.Any(e => e.Contains("already the stable version", StringComparison.Ordinal)) =>
                (FiringOutcome.Skipped, string.Join("; ", result.Errors)),
            _ => (FiringOutcome.Refused, string.Join("; ", result.Errors)),
        };
        await EndAsync(schedule.Name, claimed, revision, outcome, message, cancellationToken);
    }

    private async Task EndAsync(string schedule, ScheduleFiring firing, long revision, FiringOutcome outcome, string message, CancellationToken cancellationToken)
    {
        var ended = firing with { Outcome = outcome, Message = message, At = time.GetUtcNow() };
        var (written, _) = await store.SaveAsync(schedule, ended, revision, leader, cancellationToken);
        Check((written, 0));
        if (written == ReleaseWriteOutcome.Written)
        {
            var label = outcome.ToString().ToLowerInvariant();
            ScheduleMetrics.Count(schedule, label);
            Log.Fired(logger, schedule, firing.ScheduledAt ?? firing.Since, label, message);
        }
    }

    private void Check((ReleaseWriteOutcome Outcome, long) write)
    {
        if (write.Outcome == ReleaseWriteOutcome.NotLeader)
        {
            throw new NotLeaderException(leader.Revision);
        }
    }

    /// <summary><c>checkout-v2-20261128020000-1a2b</c>: the service, version and firing time, and the schedule's short hash, so one firing has one id.</summary>
    public static string ReleaseId(string schedule, string service, string version, DateTimeOffset scheduledAt) =>
        $"{service}-{version.ToLowerInvariant()}-{scheduledAt.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(schedule)))[..4]}";
}
