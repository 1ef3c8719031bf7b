using LightMesh.Core.Analysis;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;

namespace LightMesh.Core.Tests.Releases;

/// <summary>How a release ends: promotion and rollback as recorded moves, retries, and the operator's actions around them.</summary>
public sealed class ReleaseDeciderEndingsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static readonly ReleaseWorkflowSpec Canary = ((ReleaseWorkflow)DocumentParser.Parse(
        "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [t]}\n  - promote: {}\n",
        "w.yaml").Documents.Single().Document).Spec;

    private static readonly ReleaseWorkflowSpec PauseFirst = ((ReleaseWorkflow)DocumentParser.Parse(
        "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setWeight: 20\n  - pause: {}\n  - setWeight: 50\n  - promote: {}\n",
        "w.yaml").Documents.Single().Document).Spec;

    private static ReleaseDecision Decide(ReleaseDecision d, ReleaseInput input, int seconds = 1) => ReleaseDecider.Decide(d.State, input, T0.AddSeconds(seconds));

    /// <summary>A release at its promote step, its first move begun.</summary>
    private static ReleaseDecision AtPromotion()
    {
        var d = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", Canary, "ci", T0);
        d = Decide(d, new StepSucceeded(0));
        d = Decide(d, new StepSucceeded(1));
        return Decide(d, new AnalysisEnded(2, AnalysisPhase.Successful, "ok"));
    }

    [Fact]
    public void PromoteStep_RecordsEachMoveAsBegunBeforeItIsMade_AndSucceedsOnlyAfterTheLast()
    {
        var d = AtPromotion();
        Assert.Equal((new Promote(PromotionMove.CanaryTakesAll), PromotionMove.CanaryTakesAll), (d.Command, d.State.Promotion));

        foreach (var move in Enum.GetValues<PromotionMove>().Where(m => m != PromotionMove.PreviousKept))
        {
            Assert.Equal(ReleasePhase.Progressing, d.State.Phase);
            Assert.Equal(new Promote(move), d.Command);
            d = Decide(d, new PromotionMoved(3, move));
        }

        Assert.Equal(ReleasePhase.Succeeded, d.State.Phase);
    }

    [Theory]
    [InlineData(OperatorAction.Promote)]
    [InlineData(OperatorAction.PromoteFull)]
    public void Promote_WhileThePromotionRuns_IsRefusedAndTheMoveGoesOn(OperatorAction action)
    {
        var d = Decide(AtPromotion(), new PromotionMoved(3, PromotionMove.CanaryTakesAll));

        var promoted = Decide(d, new OperatorInput(action, "alice"));

        Assert.NotNull(promoted.Refused);
        Assert.Same(d.State, promoted.State);
        Assert.Equal(new Promote(PromotionMove.StableMoved), promoted.Command);
    }

    [Fact]
    public void Promote_OnAPausedPromotion_ResumesItWhereItWas()
    {
        var d = Decide(AtPromotion(), new PromotionMoved(3, PromotionMove.CanaryTakesAll));
        d = Decide(d, new OperatorInput(OperatorAction.Pause, "bob"));
        Assert.Equal(new WaitForOperator("paused by bob"), d.Command);

        d = Decide(d, new OperatorInput(OperatorAction.Promote, "bob"));

        Assert.Null(d.Refused);
        Assert.Equal((ReleasePhase.Progressing, new Promote(PromotionMove.StableMoved)), (d.State.Phase, d.Command));
    }

    [Fact]
    public void Abort_AfterThePromotionBeganMovingStable_RollsBackFromRestoringIt_WithTheMovesKept()
    {
        var d = Decide(AtPromotion(), new PromotionMoved(3, PromotionMove.CanaryTakesAll));
        Assert.Equal(PromotionMove.StableMoved, d.State.Promotion);

        d = Decide(d, new OperatorInput(OperatorAction.Abort, "carol"));

        Assert.Equal(new RollBack(RollbackMove.StableRestored, "aborted by carol"), d.Command);
        Assert.True(ReleaseMoves.MayHaveMovedStable(d.State));
        foreach (var move in Enum.GetValues<RollbackMove>())
        {
            Assert.Equal(new RollBack(move, "aborted by carol"), d.Command);
            Assert.Equal(move == RollbackMove.CanaryRemoved, ReleaseMoves.RemovingCanary(d.State));
            d = Decide(d, new RollbackMoved(move));
        }

        Assert.Equal(ReleasePhase.Aborted, d.State.Phase);
    }

    [Fact]
    public void Promote_OnAStepThatChangesTheMesh_IsRefused_AndPromoteFullWaitsForTheCanary()
    {
        var deploying = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", Canary, "ci", T0);
        Assert.Contains("cannot be skipped", Decide(deploying, new OperatorInput(OperatorAction.Promote, "dan")).Refused, StringComparison.Ordinal);
        Assert.Contains("not deployed yet", Decide(deploying, new OperatorInput(OperatorAction.PromoteFull, "dan")).Refused, StringComparison.Ordinal);

        var weighting = Decide(deploying, new StepSucceeded(0));
        Assert.Contains("cannot be skipped", Decide(weighting, new OperatorInput(OperatorAction.Promote, "dan")).Refused, StringComparison.Ordinal);
        var full = Decide(weighting, new OperatorInput(OperatorAction.PromoteFull, "dan"));
        Assert.Equal((3, new Promote(PromotionMove.CanaryTakesAll)), (full.State.Step, full.Command));
    }

    [Fact]
    public void StepInterrupted_WaitsAndTriesAgain_CountingTries_AndGivesUpPastItsLimit()
    {
        var d = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", Canary, "ci", T0);
        var limit = TimeSpan.FromSeconds(30);

        d = Decide(d, new StepInterrupted(0, "node n1 is busy", T0.AddSeconds(6), limit));
        Assert.Equal(new WaitUntil(T0.AddSeconds(6)), d.Command);
        Assert.Equal(new StepRetry(0, 1, "node n1 is busy", T0.AddSeconds(1), T0.AddSeconds(6)), d.State.Retry);
        Assert.Equal(new WaitUntil(T0.AddSeconds(6)), ReleaseDecider.Pending(d.State, T0.AddSeconds(5)));
        Assert.Equal(new DeployCanary(1), ReleaseDecider.Pending(d.State, T0.AddSeconds(6)));

        d = Decide(d, new StepInterrupted(0, "node n1 is busy", T0.AddSeconds(16), limit), 6);
        Assert.Equal((2, T0.AddSeconds(1)), (d.State.Retry!.Attempt, d.State.Retry.Since));

        var gaveUp = Decide(d, new StepInterrupted(0, "node n1 is busy", T0.AddSeconds(60), limit), 31);
        Assert.Equal(new RollBack(RollbackMove.StableTakesAll, "step 0 (deploy) failed: node n1 is busy (still so after 3 tries in 30 s)"), gaveUp.Command);

        var done = Decide(d, new StepSucceeded(0), 16);
        Assert.Null(done.State.Retry);
    }

    [Fact]
    public void Rollback_IsNeverGivenUp_ItsRetriesAreRecorded()
    {
        var d = Decide(ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", Canary, "ci", T0), new OperatorInput(OperatorAction.Abort, "eve"));

        d = Decide(d, new StepInterrupted(0, "etcd unreachable", T0.AddDays(1), TimeSpan.FromSeconds(1)), 100);

        Assert.Equal((new WaitUntil(T0.AddDays(1)), 1), (d.Command, d.State.Retry!.Attempt));
        Assert.Equal(new RollBack(RollbackMove.StableTakesAll, "aborted by eve"), ReleaseDecider.Pending(d.State, T0.AddDays(1)));
        Assert.Equal(RollbackMove.CanaryRemoved, Decide(d, new RollbackMoved(RollbackMove.StableTakesAll), 90000).State.Rollback);
    }

    [Fact]
    public void Resume_AfterAnOperatorPauseOrChangedRoutes_CarriesOutTheStepAgain_ButEndsAPauseStep()
    {
        var weighting = Decide(ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", Canary, "ci", T0), new StepSucceeded(0));

        var paused = Decide(weighting, new OperatorInput(OperatorAction.Pause, "frank"));
        Assert.Equal(PauseKind.Operator, paused.State.PausedFor);
        Assert.Equal(new SetCanaryWeight(20), Decide(paused, new OperatorInput(OperatorAction.Resume, "frank")).Command);

        var changed = Decide(weighting, new RoutesChanged("grace", "VirtualService/checkout weights set by apply --force"));
        Assert.Equal((PauseKind.RoutesChanged, "paused", "grace"), (changed.State.PausedFor, changed.State.Events[^1].Action, changed.State.Events[^1].Actor));

        // Resumed, it takes its routes back first (the canary at the weight it had), then carries out its step.
        var resumed = Decide(changed, new OperatorInput(OperatorAction.Resume, "grace"));
        Assert.Equal(new RestoreRoutes(0), ReleaseDecider.Pending(resumed.State, T0.AddSeconds(2)));
        var restored = Decide(resumed, new RoutesRestored(), 2);
        Assert.Equal(("routes restored", new SetCanaryWeight(20)), (restored.State.Events[^1].Action, restored.Command));

        var again = Decide(changed, new RoutesChanged("heidi", "DestinationRule/checkout deleted by delete --force"));
        Assert.Equal(("routes changed", PauseKind.RoutesChanged), (again.State.Events[^1].Action, again.State.PausedFor));

        // Changed while paused at an untimed pause step: resume ends the step, and the routes come back first.
        var pauseStep = Decide(Decide(ReleaseDecider.Start("r2", "checkout", "v2", "v1", "w", PauseFirst, "ci", T0), new StepSucceeded(0)), new StepSucceeded(1));
        Assert.Equal(PauseKind.PauseStep, pauseStep.State.PausedFor);
        var ended = Decide(Decide(pauseStep, new RoutesChanged("ivan", "forced")), new OperatorInput(OperatorAction.Resume, "ivan"));
        Assert.Equal((3, new RestoreRoutes(20)), (ended.State.Step, ReleaseDecider.Pending(ended.State, T0.AddSeconds(2))));
    }

    [Fact]
    public void EarlierRecords_PausedInWords_ReadWithTheirKind()
    {
        var state = AtPromotion().State with { Phase = ReleasePhase.Paused, PausedFor = null };

        Assert.Equal(PauseKind.Operator, ReleaseUpgrade.FromEarlierVersion(state with { PausedBecause = "paused by ops" }).PausedFor);
        Assert.Equal(PauseKind.OutsideWindow, ReleaseUpgrade.FromEarlierVersion(state with { PausedBecause = ReleaseDecider.OutsideWindow }).PausedFor);
        Assert.Equal(PauseKind.Approval, ReleaseUpgrade.FromEarlierVersion(state with { PausedBecause = "waiting for approval" }).PausedFor);
        Assert.Equal(PauseKind.Inconclusive, ReleaseUpgrade.FromEarlierVersion(state with { PausedBecause = "analysis inconclusive: no data" }).PausedFor);
        Assert.Equal(PauseKind.PauseStep, ReleaseUpgrade.FromEarlierVersion(state with { PausedBecause = "pause step: resume to continue" }).PausedFor);
    }
}
