using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Tests;

/// <summary>Delivery windows on a real controller: a release advances only inside a window, holds outside, and a freeze stops starts.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class DeliveryWindowTests(EtcdFixture etcd) : ControllerTestBase(etcd)
{
    /// <summary>A one-off window for <paramref name="service"/> from <paramref name="start"/> to <paramref name="end"/>.</summary>
    private static string Window(string name, string type, string service, DateTimeOffset start, DateTimeOffset end) =>
        $"apiVersion: lightmesh.io/v1\nkind: DeliveryWindow\nmetadata: {{name: {name}}}\nspec: {{type: {type}, services: [{service}], start: '{start:O}', end: '{end:O}'}}\n";

    [Fact]
    public async Task ReleaseStartedBeforeItsWindow_HoldsAtItsFirstStep_ThenRunsWhenTheWindowOpens()
    {
        await H.ServiceAsync("alpha", "  - deploy: {}\n  - setWeight: 20\n  - promote: {}");
        var opens = DateTimeOffset.UtcNow.AddSeconds(4);
        await H.ApplyAsync(Window("alpha-hours", "allow", "alpha", opens, opens.AddHours(1)));

        var id = (await H.StartAsync("alpha", "v2")).Id;
        var held = await H.WaitForPhaseAsync(id, ReleasePhase.Paused);

        Assert.Equal((0, ReleaseDecider.OutsideWindow), (held.Step, held.PausedBecause));
        var hold = held.Events.Single(e => e.Action == "held");
        Assert.StartsWith("outside delivery window: window alpha-hours opens at", hold.Reason, StringComparison.Ordinal);
        Assert.Equal(ReleaseOutcome.Conflict, (await H.Releases.ActAsync(id, OperatorAction.Resume, "alice", default)).Outcome);

        var done = await H.WaitForPhaseAsync(id, ReleasePhase.Succeeded);
        var resumed = done.Events.Single(e => e.Action == "resumed");
        Assert.True(resumed.At >= opens, $"resumed at {resumed.At:O}, before the window opened at {opens:O}");
        Assert.StartsWith("window alpha-hours open until", resumed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WindowClosingMidRelease_HoldsAtTheNextStep_AndANewWindowLetsItFinish()
    {
        await H.ServiceAsync("beta", "  - deploy: {}\n  - setWeight: 20\n  - pause: {duration: 4s}\n  - setWeight: 50\n  - promote: {}");
        var now = DateTimeOffset.UtcNow;
        await H.ApplyAsync(Window("beta-now", "allow", "beta", now.AddMinutes(-1), now.AddSeconds(2)));

        var id = (await H.StartAsync("beta", "v2")).Id;
        var held = await H.WaitAsync(id, r => r.IsHeld, "held after its window closed");

        // The pause that was running when the window closed finished; the next step (setWeight 50) waits.
        Assert.Equal(3, held.Step);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 80, ["canary"] = 20 }, await H.WeightsAsync("beta"));
        Assert.Contains("no window of beta-now opens again", held.Events[^1].Reason, StringComparison.Ordinal);

        await H.ApplyAsync(Window("beta-later", "allow", "beta", DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1)));
        var done = await H.WaitForPhaseAsync(id, ReleasePhase.Succeeded);
        Assert.Equal(["held", "resumed", "setWeight done", "promoting", "succeeded"], done.Events.Select(e => e.Action).SkipWhile(a => a != "pause done").Skip(1).Take(5));
    }

    [Fact]
    public async Task Freeze_RefusesNewReleases_HoldsRunningOnes_AndItsEndLetsThemGo()
    {
        await H.ServiceAsync("gamma", "  - deploy: {}\n  - setWeight: 20\n  - pause: {duration: 2s}\n  - setWeight: 50\n  - promote: {}");
        await H.ServiceAsync("delta", "  - deploy: {}\n  - promote: {}");
        var id = (await H.StartAsync("gamma", "v2")).Id;
        await H.WaitAsync(id, r => r.Step == 2, "in its pause");

        var now = DateTimeOffset.UtcNow;
        await H.ApplyAsync(Window("year-end", "freeze", "gamma", now.AddMinutes(-1), now.AddHours(1)).Replace("services: [gamma]", "services: ['gamma', 'del*']", StringComparison.Ordinal));
        var held = await H.WaitAsync(id, r => r.IsHeld, "held by the freeze");
        var refused = await H.Releases.StartAsync(new StartRequest { Service = "delta", Version = "v2", Workflow = "delta-flow", Actor = "test" }, default);

        Assert.StartsWith("outside delivery window: freeze year-end until", held.Events[^1].Reason, StringComparison.Ordinal);
        Assert.Equal(ReleaseOutcome.Conflict, refused.Outcome);
        Assert.StartsWith("freeze: no release of delta starts during freeze year-end until", refused.Errors.Single(), StringComparison.Ordinal);

        var deleted = await H.Documents.DeleteAsync(DocumentKind.DeliveryWindow, "year-end", default);
        Assert.Equal(Etcd.Documents.WriteOutcome.Applied, deleted.Outcome);
        await H.WaitForPhaseAsync(id, ReleasePhase.Succeeded);
    }
}
