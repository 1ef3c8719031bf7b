using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Scheduling;
using LightMesh.Releases.Scheduling;
using LightMesh.Releases.Requests;
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
        ScheduleRunner Runner() => new(H.Documents, Store, H.Releases, H.Groups, term, TimeProvider.System, TimeSpan.FromMilliseconds(100), EtcdFixture.Logger<ScheduleRunner>());
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

    /// <summary>
    /// A Schedule with <c>group</c> starts one group release per firing, each member at its pinned version or its newest
    /// announced one: skipped while a member has none, one group however many runners act on the firing, and a claim
    /// a lost leader left is finished under the group id it fixed.
    /// </summary>
    [Fact]
    public async Task AGroupSchedule_StartsOneGroupReleasePerFiring_PinnedOrNewestAnnounced()
    {
        var (a, b, term) = await RunnersAsync("zeta");
        await using var _ = term;
        await H.ServiceAsync("eta", "  - deploy: {}\n  - promote: {}");
        await H.ApplyAsync(TestMeshes.PairGroup("zeta", "eta"));
        static string GroupSchedule(string name, DateTimeOffset at, string group = "pair", string pinned = "zeta") =>
            $"apiVersion: lightmesh.io/v1\nkind: Schedule\nmetadata: {{name: {name}}}\nspec: {{group: {group}, at: '{at:O}', versions: {{{pinned}: v2}}}}\n";

        async Task FireAsync(string name)
        {
            var at = DateTimeOffset.UtcNow.AddSeconds(1);
            await H.ApplyAsync(GroupSchedule(name, at));
            await a.TickAsync(default);
            await Task.Delay(at - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50));
            await Task.WhenAll(a.TickAsync(default), b.TickAsync(default), a.TickAsync(default), b.TickAsync(default));
        }

        await FireAsync("pair-early");
        var skipped = await FiringAsync("pair-early", f => f.Outcome != FiringOutcome.Waiting, "acted on");
        Assert.Equal((FiringOutcome.Skipped, "no version of eta announced by CI yet"), (skipped.Outcome, skipped.Message));

        await Store.AnnounceAsync(new Announcement("eta", "v4", null, "test", DateTimeOffset.UtcNow), default);
        await FireAsync("pair-once");
        var fired = await FiringAsync("pair-once", f => f.Outcome is FiringOutcome.Started or FiringOutcome.Refused, "acted on");
        Assert.True(fired.Outcome == FiringOutcome.Started, fired.Message);
        var group = Assert.Single(await H.Groups.ListAsync(default));
        Assert.Equal((fired.Group, "schedule/pair-once"), (group.Id, group.Actor));
        Assert.Equal(["zeta v2", "eta v4"], group.Members.Select(m => $"{m.Service} {m.Version}"));
        Assert.Equal(new Dictionary<string, string> { ["eta"] = "v4", ["zeta"] = "v2" }, fired.Versions);

        // What a leader leaves when it dies between claiming a firing and starting its group (another pair, as zeta and
        // eta are busy): the next finishes it, once.
        foreach (var service in new[] { "theta", "iota" })
        {
            await H.ServiceAsync(service, "  - deploy: {}\n  - promote: {}");
        }

        await H.ApplyAsync(TestMeshes.PairGroup("theta", "iota", "other"));
        var scheduledAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        await H.ApplyAsync(GroupSchedule("pair-lost", scheduledAt, "other", "theta"));
        var id = ReleaseGroups.IdFor("other", "schedule/pair-lost/lost");
        var claim = new ScheduleFiring(scheduledAt.AddMinutes(-1), scheduledAt, FiringOutcome.Starting, null, null, null, scheduledAt)
        {
            Group = id, Versions = new Dictionary<string, string> { ["theta"] = "v2", ["iota"] = "v4" },
        };
        Assert.Equal(Etcd.Releases.ReleaseWriteOutcome.Written, (await Store.SaveAsync("pair-lost", claim, 0, term, default)).Outcome);
        await Task.WhenAll(a.TickAsync(default), b.TickAsync(default));
        await a.TickAsync(default);

        var finished = await FiringAsync("pair-lost", f => f.Outcome != FiringOutcome.Starting, "finished");
        Assert.True(finished.Outcome == FiringOutcome.Started, finished.Message);
        Assert.Equal(id, (await H.Groups.GetAsync(id, default))!.Id);
        Assert.Equal(2, (await H.Groups.ListAsync(default)).Count);
    }
}
