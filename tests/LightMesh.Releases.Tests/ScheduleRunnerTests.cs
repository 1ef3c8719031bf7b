using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Scheduling;
using LightMesh.Releases.Scheduling;
using LightMesh.Testing;
using LightMesh.DurableExecution;

namespace LightMesh.Releases.Tests;

/// <summary>
/// The schedule runner against etcd, on an API-only controller so that only the test's runners fire: one firing is acted
/// on once however many runners try, a deposed leader fires nothing, and a claim a lost leader left is finished.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ScheduleRunnerTests(EtcdFixture etcd) : ControllerTestBase(etcd, runReleases: false)
{
    private ScheduleStore Store => new(H.Etcd);

    private static string Schedule(string name, string service, string at) =>
        $"apiVersion: lightmesh.io/v1\nkind: Schedule\nmetadata: {{name: {name}}}\nspec: {{service: {service}, workflow: {service}-flow, at: '{at}', version: v2}}\n";

    private async Task<ScheduleFiring> FiringAsync(string schedule, Func<ScheduleFiring, bool> done, string what) =>
        (await Poll.UntilAsync(async () => (await Store.FiringsAsync(default)).TryGetValue(schedule, out var f) ? f.Firing : null, f => f is not null && done(f), TimeSpan.FromSeconds(20), $"schedule {schedule}: {what}"))!;

    private async Task<List<ReleaseState>> ReleasesOfAsync(string service) => await H.Releases.AllAsync(service);

    /// <summary>Schedule runners of a term of their own, on a controller that runs no releases (so only these runners fire).</summary>
    private async Task<(ScheduleRunner A, ScheduleRunner B, LeaderTerm Term)> RunnersAsync(string service)
    {
        await H.ServiceAsync(service, "  - deploy: {}\n  - promote: {}");
        var term = (await new LeaderElection(H.Etcd, $"schedules-{service}", TimeProvider.System).TryLeadAsync("test", TimeSpan.FromSeconds(5), default))!;
        ScheduleRunner Runner() => new(H.Documents, Store, H.Releases, term, TimeProvider.System, TimeSpan.FromMilliseconds(100), EtcdFixture.Logger<ScheduleRunner>());
        return (Runner(), Runner(), term);
    }

    [Fact]
    public async Task TwoRunnersOfOneTerm_ActingOnTheSameFiringAtOnce_StartOneRelease()
    {
        var (a, b, term) = await RunnersAsync("gamma");
        await using var _ = term;
        var at = DateTimeOffset.UtcNow.AddSeconds(1);
        await H.ApplyAsync(Schedule("gamma-once", "gamma", $"{at:O}"));
        await a.TickAsync(default);
        await Task.Delay(at - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50));

        await Task.WhenAll(a.TickAsync(default), b.TickAsync(default), a.TickAsync(default), b.TickAsync(default));

        var fired = await FiringAsync("gamma-once", f => f.Outcome is FiringOutcome.Started or FiringOutcome.Refused, "acted on");
        Assert.Equal(FiringOutcome.Started, fired.Outcome);
        Assert.Equal([fired.Release], (await ReleasesOfAsync("gamma")).Select(r => r.Id));
    }

    [Fact]
    public async Task DeposedLeader_FiresNothing()
    {
        var (a, _, term) = await RunnersAsync("delta");
        await H.ApplyAsync(Schedule("delta-once", "delta", $"{DateTimeOffset.UtcNow.AddSeconds(-1):O}"));
        await a.TickAsync(default);
        await term.DisposeAsync();

        await Assert.ThrowsAsync<NotLeaderException>(() => a.TickAsync(default));
        Assert.Empty(await ReleasesOfAsync("delta"));
    }

    [Fact]
    public async Task ClaimLeftStartingByALostLeader_IsFinishedByTheNext_UnderTheSameId()
    {
        var (a, _, term) = await RunnersAsync("epsilon");
        await using var _ = term;
        var scheduledAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        await H.ApplyAsync(Schedule("epsilon-once", "epsilon", $"{scheduledAt:O}"));
        var id = ScheduleRunner.ReleaseId("epsilon-once", "epsilon", "v2", scheduledAt);

        // What a leader leaves when it dies between claiming a firing and starting its release.
        var claim = new ScheduleFiring(scheduledAt.AddMinutes(-1), scheduledAt, FiringOutcome.Starting, id, "v2", null, scheduledAt);
        Assert.Equal(Etcd.Releases.ReleaseWriteOutcome.Written, (await Store.SaveAsync("epsilon-once", claim, 0, term, default)).Outcome);
        await a.TickAsync(default);
        await a.TickAsync(default);

        var fired = await FiringAsync("epsilon-once", f => f.Outcome == FiringOutcome.Started, "started");
        Assert.Equal(id, fired.Release);
        Assert.Equal([id], (await ReleasesOfAsync("epsilon")).Select(r => r.Id));
    }
}
