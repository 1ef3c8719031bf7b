using System.Net.Http.Headers;
using System.Text.Json;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Scheduling;
using LightMesh.Releases.Scheduling;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>Schedules on a real controller and etcd: one-shot and cron firings, announced versions, and never firing twice.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ScheduleTests(EtcdFixture etcd) : ControllerTestBase(etcd)
{
    private ScheduleStore Store => new(H.Etcd);

    private static string Schedule(string name, string service, string when, string? version = null) =>
        $"apiVersion: lightmesh.io/v1\nkind: Schedule\nmetadata: {{name: {name}}}\nspec: {{service: {service}, workflow: {service}-flow, {when}{(version is null ? "" : $", version: {version}")}}}\n";

    private async Task<ScheduleFiring> FiringAsync(string schedule, Func<ScheduleFiring, bool> done, string what) =>
        await Poll.UntilAsync(async () => (await Store.FiringsAsync(default)).TryGetValue(schedule, out var f) ? f.Firing : null, f => f is not null && done(f), TimeSpan.FromSeconds(20), $"schedule {schedule}: {what}")
        ?? throw new InvalidOperationException("unreachable");

    private async Task<List<ReleaseState>> ReleasesOfAsync(string service) => await H.Releases.AllAsync(service);

    [Fact]
    public async Task OneShot_StartsItsReleaseOnce_AtItsTime_AndTheApiShowsIt()
    {
        await H.ServiceAsync("alpha", "  - deploy: {}\n  - setWeight: 20\n  - promote: {}");
        var at = DateTimeOffset.UtcNow.AddSeconds(2);
        await H.ApplyAsync(Schedule("alpha-launch", "alpha", $"at: '{at:O}'", version: "v2"));

        var fired = await FiringAsync("alpha-launch", f => f.Outcome == FiringOutcome.Started, "started");
        var release = (await H.WaitForPhaseAsync(fired.Release!, ReleasePhase.Succeeded)) with { };

        Assert.Equal(("alpha", "v2", "schedule/alpha-launch"), (release.Service, release.Version, release.StartedBy));
        Assert.True(release.StartedAt >= at, $"started at {release.StartedAt:O}, before {at:O}");
        Assert.Equal(ScheduleRunner.ReleaseId("alpha-launch", "alpha", "v2", fired.ScheduledAt!.Value), release.Id);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(await ReleasesOfAsync("alpha"));

        using var http = new HttpClient { BaseAddress = H.Api, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ControllerHarness.Token);
        using var view = JsonDocument.Parse(await http.GetStringAsync("api/v1/schedules/alpha-launch"));
        Assert.Equal("Started", view.RootElement.GetProperty("lastFiring").GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, view.RootElement.GetProperty("nextFiring").ValueKind);

        // The firing is counted, and the leader's releases-by-phase gauge comes to count the release.
        Assert.Contains("lightmesh_schedule_firings_total{schedule=\"alpha-launch\",outcome=\"started\"} 1", await http.GetStringAsync("metrics"), StringComparison.Ordinal);
        await Poll.UntilAsync(() => http.GetStringAsync("metrics"), m => m.Contains("lightmesh_releases{phase=\"Succeeded\"} 1", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "releases by phase");
    }

    [Fact]
    public async Task Cron_ReleasesTheNewestAnnouncedVersion_ThenSkipsItOnceItIsStable()
    {
        await H.ServiceAsync("beta", "  - deploy: {}\n  - promote: {}");
        await H.ApplyAsync(Schedule("beta-often", "beta", "cron: '*/2 * * * * ?'"));
        var nothing = await FiringAsync("beta-often", f => f.Outcome == FiringOutcome.Skipped, "skipped: nothing announced");
        Assert.Equal("no version of beta announced by CI yet", nothing.Message);

        await Store.AnnounceAsync(new Announcement("beta", "v2", null, "test", DateTimeOffset.UtcNow), default);
        var started = await FiringAsync("beta-often", f => f.Outcome == FiringOutcome.Started, "started v2");
        await H.WaitForPhaseAsync(started.Release!, ReleasePhase.Succeeded);
        var skipped = await FiringAsync("beta-often", f => f.Outcome == FiringOutcome.Skipped && f.ScheduledAt > started.ScheduledAt, "skipped: v2 is stable");

        Assert.Contains("v2 is already the stable version of beta", skipped.Message, StringComparison.Ordinal);
        Assert.Equal([started.Release], (await ReleasesOfAsync("beta")).Select(r => r.Id));
    }
}
