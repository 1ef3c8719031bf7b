using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Tests;

/// <summary>Every operator action on a running release, through the release service any API or verb uses.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class OperatorActionTests(EtcdFixture etcd) : ControllerTestBase(etcd)
{
    private const string Steps = """
          - deploy: {}
          - setWeight: 10
          - pause: {}
          - setWeight: 30
          - approval: {}
          - setWeight: 60
          - pause: {duration: 1h}
          - promote: {}
        """;

    // A deploy whose version never registers waits this long: far longer than any test here waits for anything.
    protected override Func<ReleaseEngineOptions, ReleaseEngineOptions>? Engine => o => o with { DeployTimeout = TimeSpan.FromMinutes(2) };

    private async Task<ReleaseResult> ActAsync(string id, OperatorAction action) => await H.Releases.ActAsync(id, action, "alice", default);

    [Fact]
    public async Task ResumeApprovePromote_WalkTheReleaseToSuccess_AndRefusalsSayWhy()
    {
        await H.ServiceAsync("alpha", Steps);
        var id = (await H.StartAsync("alpha", "v2")).Id;

        var paused = await H.WaitForPhaseAsync(id, ReleasePhase.Paused);
        Assert.Equal(2, paused.Step);
        var again = await ActAsync(id, OperatorAction.Pause);
        Assert.Equal(ReleaseOutcome.Conflict, again.Outcome);
        Assert.Contains("already paused", again.Errors.Single(), StringComparison.Ordinal);
        Assert.Equal(ReleaseOutcome.Conflict, (await ActAsync(id, OperatorAction.Approve)).Outcome);

        Assert.Equal(ReleaseOutcome.Done, (await ActAsync(id, OperatorAction.Resume)).Outcome);
        var approval = await H.WaitAsync(id, r => r.Phase == ReleasePhase.Paused && r.Step == 4, "waiting for approval");
        Assert.Equal("waiting for approval", approval.PausedBecause);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 70, ["canary"] = 30 }, await H.WeightsAsync("alpha"));
        Assert.Contains("approve or reject", (await ActAsync(id, OperatorAction.Resume)).Errors.Single(), StringComparison.Ordinal);

        Assert.Equal(ReleaseOutcome.Done, (await ActAsync(id, OperatorAction.Approve)).Outcome);
        var timed = await H.WaitAsync(id, r => r.Step == 6 && r.PauseUntil is not null, "the one-hour pause");
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 40, ["canary"] = 60 }, await H.WeightsAsync("alpha"));

        // An operator's pause inside a timed pause keeps its deadline; resuming returns to it.
        Assert.Equal(ReleaseOutcome.Done, (await ActAsync(id, OperatorAction.Pause)).Outcome);
        Assert.Equal(ReleaseOutcome.Done, (await ActAsync(id, OperatorAction.Resume)).Outcome);
        var resumed = await H.WaitAsync(id, r => r.Phase == ReleasePhase.Progressing, "resumed");
        Assert.Equal(timed.PauseUntil, resumed.PauseUntil);

        Assert.Equal(ReleaseOutcome.Done, (await ActAsync(id, OperatorAction.Promote)).Outcome);
        var done = await H.WaitForPhaseAsync(id, ReleasePhase.Succeeded);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("alpha"));
        Assert.Contains(done.Events, e => e.Action == "pause done" && e.Actor == "alice" && e.Reason.Contains("promoted by alice", StringComparison.Ordinal));
        Assert.Equal(ReleaseOutcome.Conflict, (await ActAsync(id, OperatorAction.Abort)).Outcome);
    }

    [Fact]
    public async Task PromoteFull_SkipsEveryStepLeft()
    {
        await H.ServiceAsync("beta", Steps);
        var id = (await H.StartAsync("beta", "v2")).Id;
        await H.WaitForPhaseAsync(id, ReleasePhase.Paused);

        Assert.Equal(ReleaseOutcome.Done, (await ActAsync(id, OperatorAction.PromoteFull)).Outcome);

        var done = await H.WaitForPhaseAsync(id, ReleasePhase.Succeeded);
        Assert.Contains(done.Events, e => e.Action == "promoted fully" && e.Actor == "alice");
        Assert.DoesNotContain(done.Events, e => e.Action == "approval done");
    }

    [Fact]
    public async Task Reject_AtTheApproval_RollsBack()
    {
        await H.ServiceAsync("gamma", Steps);
        var id = (await H.StartAsync("gamma", "v2")).Id;
        await H.WaitForPhaseAsync(id, ReleasePhase.Paused);
        await ActAsync(id, OperatorAction.Resume);
        await H.WaitAsync(id, r => r.Phase == ReleasePhase.Paused && r.Step == 4, "waiting for approval");

        Assert.Equal(ReleaseOutcome.Done, (await ActAsync(id, OperatorAction.Reject)).Outcome);

        var done = await H.WaitForPhaseAsync(id, ReleasePhase.RolledBack);
        Assert.Equal("rejected by alice", done.RollingBack);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("gamma"));
    }

    [Fact]
    public async Task Abort_DuringATimedPause_RollsBackAtOnce_AndRetryStartsItAgain()
    {
        await H.ServiceAsync("delta", """
              - deploy: {}
              - setWeight: 50
              - pause: {duration: 1h}
              - promote: {}
            """);
        var id = (await H.StartAsync("delta", "v2")).Id;
        await H.WaitAsync(id, r => r.PauseUntil is not null, "the one-hour pause");
        Assert.Equal(ReleaseOutcome.Conflict, (await H.Releases.RetryAsync(id, "alice", default)).Outcome);

        Assert.Equal(ReleaseOutcome.Done, (await ActAsync(id, OperatorAction.Abort)).Outcome);

        var aborted = await H.WaitForPhaseAsync(id, ReleasePhase.Aborted, seconds: 10);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("delta"));
        Assert.Equal("aborted by alice", aborted.RollingBack);

        var retried = await H.Releases.RetryAsync(id, "bob", default);
        Assert.Equal(ReleaseOutcome.Done, retried.Outcome);
        Assert.Equal(id, retried.Release!.RetryOf);
        await H.WaitAsync(retried.Release.Id, r => r.PauseUntil is not null, "the retried release's pause");
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 50, ["canary"] = 50 }, await H.WeightsAsync("delta"));
    }

    /// <summary>
    /// A command that waits (here a deploy whose version never registers) is stopped by an operator's abort at once, not
    /// when it would have given up: the release's key changed under it, which the controller's watch tells the runner.
    /// </summary>
    [Fact]
    public async Task Abort_WhileACommandWaits_StopsTheCommandAtOnce()
    {
        var h = H;
        await h.ServiceAsync("eta", """
              - deploy: {}
              - setWeight: 50
              - promote: {}
            """, versions: ["v1"]);
        var id = (await h.StartAsync("eta", "v2")).Id;
        // The deploy prepares the routes, then waits for an instance of v2.
        await Poll.UntilAsync(
            async () => (await h.Documents.ListAsync(DocumentKind.VirtualService, default)).Any(v => v.Name == "eta"), prepared => prepared, TimeSpan.FromSeconds(20), "the deploy to prepare the routes");

        Assert.Equal(ReleaseOutcome.Done, (await h.Releases.ActAsync(id, OperatorAction.Abort, "alice", default)).Outcome);

        var aborted = await h.WaitForPhaseAsync(id, ReleasePhase.Aborted, seconds: 20);
        Assert.Equal("aborted by alice", aborted.RollingBack);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await h.WeightsAsync("eta"));
    }
}
