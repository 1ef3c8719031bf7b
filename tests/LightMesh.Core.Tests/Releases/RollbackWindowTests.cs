using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;
using static LightMesh.Core.Tests.Releases.ReleaseRouteDocuments;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// <c>postPromotionAnalysis</c> and <c>rollbackWindow</c>: once the new version takes all the traffic, the promotion holds
/// (<see cref="PromotionMove.PreviousKept"/>) while the old version still runs: the analysis runs, the window is held,
/// and a rollback (an operator's, or the analysis's failure) only moves the traffic back.
/// </summary>
public sealed class RollbackWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static ReleaseWorkflowSpec Spec(string settings) =>
        Workflow($"  - deploy: {{}}\n  - setWeight: 20\n  - promote: {{}}\n{settings}");

    /// <summary>The release of <paramref name="spec"/> once the canary has taken all the traffic.</summary>
    private static ReleaseDecision Switched(ReleaseWorkflowSpec spec)
    {
        var d = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", spec, "ci", T0);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(0), T0);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(1), T0);
        Assert.Equal(new Promote(PromotionMove.CanaryTakesAll), d.Command);
        return ReleaseDecider.Decide(d.State, new PromotionMoved(2, PromotionMove.CanaryTakesAll), T0.AddSeconds(1));
    }

    private static ReleaseDecision RunMoves<TMove>(ReleaseDecision d, Func<TMove, ReleaseInput> moved, DateTimeOffset at)
        where TMove : struct, Enum =>
        Enum.GetValues<TMove>().Aggregate(d, (decision, move) => decision.State.IsFinished ? decision : ReleaseDecider.Decide(decision.State, moved(move), at));

    [Fact]
    public void Parse_WindowAndPostPromotionAnalysis_AndWriteReadsBackTheSame()
    {
        var parsed = ((ReleaseWorkflow)Parsed("""
            apiVersion: lightmesh.io/v1
            kind: ReleaseWorkflow
            metadata: {name: w}
            spec:
              rollbackWindow: {duration: 30m}
              postPromotionAnalysis: {templates: [error-rate], args: {window: 5m}}
              steps:
              - deploy: {}
              - promote: {}
            """)[0]).Spec;

        Assert.Equal(TimeSpan.FromMinutes(30), parsed.RollbackWindow?.Value);
        Assert.Equal(["error-rate"], parsed.PostPromotionAnalysis!.Templates);
        Assert.Equal("5m", parsed.PostPromotionAnalysis.Args["window"]);
        Assert.Equal(["error-rate"], parsed.TemplateNames());
        Assert.True(parsed.KeepsPrevious);
        Assert.False(Spec("").KeepsPrevious);
        AssertReadsBackTheSame(parsed);
    }

    [Fact]
    public void Window_HoldsThePreviousVersion_ThenThePromotionGoesOnToSucceeded()
    {
        var d = Switched(Spec("  rollbackWindow: {duration: 30m}\n  progressDeadline: 5m\n"));
        var end = T0.AddSeconds(1).AddMinutes(30);
        Assert.Equal((PromotionMove.PreviousKept, end), (d.State.Promotion, d.State.PauseUntil));
        Assert.Equal(new WaitUntil(end), d.Command);
        Assert.Equal(ReleaseEvents.PreviousKept, d.State.Events[^1].Action);
        Assert.Equal(100, ReleaseTimeline.Weights(d.State)[^1].Weight);

        // A window longer than the progress deadline is not a lack of progress; its end makes the hold's move.
        Assert.Equal(new WaitUntil(end), ReleaseDecider.Decide(d.State, new TimerFired(), end.AddMinutes(-1)).Command);
        d = ReleaseDecider.Decide(d.State, new TimerFired(), end);
        Assert.Equal(new Promote(PromotionMove.PreviousKept), d.Command);
        d = ReleaseDecider.Decide(d.State, new PromotionMoved(2, PromotionMove.PreviousKept), end);
        Assert.Equal(new Promote(PromotionMove.StableMoved), d.Command);
        d = RunMoves<PromotionMove>(d, move => new PromotionMoved(2, move), end);
        Assert.Equal(ReleasePhase.Succeeded, d.State.Phase);
    }

    [Fact]
    public void RollbackInsideTheWindow_FirstMovesTheTrafficBack_WithoutTouchingTheStableVersion_AndEndsRolledBack()
    {
        var d = Switched(Spec("  rollbackWindow: {duration: 1h}\n"));

        var rolling = ReleaseDecider.Decide(d.State, new OperatorInput(OperatorAction.Rollback, "ops"), T0.AddMinutes(10));
        Assert.Null(rolling.Refused);
        Assert.Equal(new RollBack(RollbackMove.StableTakesAll, "rolled back by ops inside the rollback window"), rolling.Command);
        Assert.False(ReleaseMoves.MayHaveMovedStable(rolling.State));
        Assert.Null(rolling.State.PauseUntil);

        var ended = RunMoves<RollbackMove>(rolling, move => new RollbackMoved(move), T0.AddMinutes(10));
        Assert.Equal(ReleasePhase.RolledBack, ended.State.Phase);
        Assert.Equal(0, ReleaseTimeline.Weights(ended.State)[^1].Weight);
    }

    [Fact]
    public void Rollback_OutsideAWindow_IsRefusedSayingWhy()
    {
        var before = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", Spec("  rollbackWindow: {duration: 1h}\n"), "ci", T0);
        Assert.Contains("no rollback window is open", ReleaseDecider.Decide(before.State, new OperatorInput(OperatorAction.Rollback, "ops"), T0).Refused);

        var without = Switched(Spec(""));
        Assert.Equal(new Promote(PromotionMove.StableMoved), without.Command);
        Assert.Contains("has no rollbackWindow", ReleaseDecider.Decide(without.State, new OperatorInput(OperatorAction.Rollback, "ops"), T0).Refused);
    }

    [Theory]
    [InlineData(AnalysisPhase.Failed, "post-promotion analysis failed: error rate 9%")]
    [InlineData(AnalysisPhase.Error, "post-promotion analysis failed: error rate 9%")]
    public void PostPromotionAnalysis_RunsOnceSwitched_AndItsFailureMovesTheTrafficBack(AnalysisPhase phase, string reason)
    {
        var d = Switched(Spec("  postPromotionAnalysis: {templates: [error-rate]}\n"));
        Assert.Equal((PromotionMove.PreviousKept, (DateTimeOffset?)null), (d.State.Promotion, d.State.PauseUntil));
        Assert.Equal(["error-rate"], Assert.IsType<RunAnalysis>(d.Command).Templates);

        var failed = ReleaseDecider.Decide(d.State, new AnalysisEnded(2, phase, "error rate 9%"), T0.AddMinutes(5));
        Assert.Equal(new RollBack(RollbackMove.StableTakesAll, reason), failed.Command);
        Assert.False(ReleaseMoves.MayHaveMovedStable(failed.State));
    }

    [Fact]
    public void PostPromotionAnalysis_Passing_HoldsTheRestOfTheWindow_ThenGoesOn()
    {
        var d = Switched(Spec("  postPromotionAnalysis: {templates: [error-rate]}\n  rollbackWindow: {duration: 10m}\n"));
        Assert.IsType<RunAnalysis>(d.Command);

        d = ReleaseDecider.Decide(d.State, new AnalysisEnded(2, AnalysisPhase.Successful, "fine"), T0.AddMinutes(3));
        Assert.True(d.State.PostPromotionChecked);
        Assert.Equal(new WaitUntil(T0.AddSeconds(1).AddMinutes(10)), d.Command);

        // An analysis that outlasts the window: the promotion goes on as soon as it passes.
        var late = Switched(Spec("  postPromotionAnalysis: {templates: [error-rate]}\n  rollbackWindow: {duration: 10m}\n"));
        late = ReleaseDecider.Decide(late.State, new AnalysisEnded(2, AnalysisPhase.Successful, "fine"), T0.AddMinutes(20));
        Assert.Equal(new WaitUntil(T0.AddSeconds(1).AddMinutes(10)), late.Command);
        Assert.Equal(new Promote(PromotionMove.PreviousKept), ReleaseDecider.Decide(late.State, new TimerFired(), T0.AddMinutes(20)).Command);
    }

    [Fact]
    public void PromoteInsideTheWindow_EndsItNow_WithWhatIsLeftOfTheAnalysis()
    {
        var d = Switched(Spec("  postPromotionAnalysis: {templates: [error-rate]}\n  rollbackWindow: {duration: 1h}\n"));

        var ended = ReleaseDecider.Decide(d.State, new OperatorInput(OperatorAction.Promote, "ops"), T0.AddMinutes(2));

        Assert.Null(ended.Refused);
        Assert.Equal(new Promote(PromotionMove.PreviousKept), ended.Command);
        Assert.Equal((null, true), (ended.State.PauseUntil, ended.State.PostPromotionChecked));
        Assert.Equal(("window ended", "ops"), (ended.State.Events[^1].Action, ended.State.Events[^1].Actor));
    }
}
