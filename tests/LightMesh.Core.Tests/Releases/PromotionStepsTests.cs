using LightMesh.Core.Releases;
using static LightMesh.Core.Tests.Releases.ReleaseRouteDocuments;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// <c>promote: {steps, interval}</c>: the canary takes all the traffic through rising weights, each held for the
/// interval, as one promotion move made again weight by weight; the rest of the promotion, a rollback from any weight,
/// and the timeline are as for a promotion at once.
/// </summary>
public sealed class PromotionStepsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static readonly ReleaseWorkflowSpec Spec = Workflow("""
          - deploy: {}
          - setWeight: 20
          - promote: {steps: [10, 50, 80, 100], interval: 2m}
        """);

    /// <summary>The release at its promote step, the canary at 20%, and the command the decider gives there.</summary>
    private static ReleaseDecision AtPromotion()
    {
        var d = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", Spec, "ci", T0);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(0), T0);
        return ReleaseDecider.Decide(d.State, new StepSucceeded(1), T0);
    }

    [Fact]
    public void Parse_StepsAndInterval_AndWriteReadsBackTheSame()
    {
        var promote = Assert.IsType<PromoteStep>(Spec.Steps[2]);
        Assert.Equal([10, 50, 80, 100], promote.Steps);
        Assert.Equal(TimeSpan.FromMinutes(2), promote.Interval?.Value);
        Assert.Empty(Assert.IsType<PromoteStep>(Workflow("  - deploy: {}\n  - promote: {}\n").Steps[1]).Steps);
        AssertReadsBackTheSame(Spec);
    }

    [Fact]
    public void SteppedPromotion_EachWeightAboveTheCanarysIsWrittenThenHeld_ThenTheRestOfThePromotion()
    {
        var d = AtPromotion();
        Assert.Equal(new Promote(PromotionMove.CanaryTakesAll), d.Command);
        Assert.Equal(50, ReleaseMoves.PromotionWeight(d.State)); // 10 is below the canary's 20%: passed over

        var at = T0.AddSeconds(10);
        foreach (var weight in new[] { 50, 80 })
        {
            d = ReleaseDecider.Decide(d.State, new PromotionMoved(2, PromotionMove.CanaryTakesAll), at);
            Assert.Equal((weight, at.AddMinutes(2)), (d.State.CanaryWeight, d.State.PauseUntil));
            Assert.Equal(new WaitUntil(at.AddMinutes(2)), d.Command);
            Assert.Equal((ReleaseEvents.PromotionStep, ReleaseEvents.CanaryAt(weight)), (d.State.Events[^1].Action, d.State.Events[^1].Reason));

            // Early timers (a restarted controller's) wait on; the interval's end makes the move again, for the next weight.
            Assert.Equal(new WaitUntil(at.AddMinutes(2)), ReleaseDecider.Decide(d.State, new TimerFired(), at.AddMinutes(1)).Command);
            at = at.AddMinutes(2);
            d = ReleaseDecider.Decide(d.State, new TimerFired(), at);
            Assert.Equal(new Promote(PromotionMove.CanaryTakesAll), d.Command);
            Assert.Null(d.State.PauseUntil);
        }

        Assert.Equal(100, ReleaseMoves.PromotionWeight(d.State));
        d = ReleaseDecider.Decide(d.State, new PromotionMoved(2, PromotionMove.CanaryTakesAll), at);
        Assert.Equal(new Promote(PromotionMove.StableMoved), d.Command);
        d = Enum.GetValues<PromotionMove>().Skip(1).Aggregate(d, (decision, move) => ReleaseDecider.Decide(decision.State, new PromotionMoved(2, move), at));
        Assert.Equal(ReleasePhase.Succeeded, d.State.Phase);

        Assert.Equal([20, 50, 80, 100], ReleaseTimeline.Weights(d.State).Select(p => p.Weight)); // 20% was set at the start's time, so it replaces 0
    }

    [Fact]
    public void AbortDuringAHeldWeight_RollsBack_AndOperatorsPauseAndResumeKeepTheHold()
    {
        var d = ReleaseDecider.Decide(AtPromotion().State, new PromotionMoved(2, PromotionMove.CanaryTakesAll), T0);
        var paused = ReleaseDecider.Decide(d.State, new OperatorInput(OperatorAction.Pause, "ops"), T0.AddSeconds(30));
        Assert.Equal(ReleasePhase.Paused, paused.State.Phase);
        Assert.Equal(new WaitUntil(T0.AddMinutes(2)), ReleaseDecider.Decide(paused.State, new OperatorInput(OperatorAction.Resume, "ops"), T0.AddSeconds(40)).Command);

        var aborted = ReleaseDecider.Decide(d.State, new OperatorInput(OperatorAction.Abort, "ops"), T0.AddSeconds(30));
        Assert.Equal(new RollBack(RollbackMove.StableTakesAll, "aborted by ops"), aborted.Command);
        Assert.False(ReleaseMoves.MayHaveMovedStable(aborted.State));
    }

    [Fact]
    public void WithoutInterval_TheWeightsFollowOneAnother_AsSoonAsEachIsInForce()
    {
        var spec = Workflow("  - deploy: {}\n  - promote: {steps: [30, 100]}\n");
        var d = ReleaseDecider.Decide(ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", spec, "ci", T0).State, new StepSucceeded(0), T0);
        Assert.Equal(30, ReleaseMoves.PromotionWeight(d.State));

        d = ReleaseDecider.Decide(d.State, new PromotionMoved(1, PromotionMove.CanaryTakesAll), T0);
        Assert.Equal((new Promote(PromotionMove.CanaryTakesAll), 30, (DateTimeOffset?)null), (d.Command, d.State.CanaryWeight, d.State.PauseUntil));
        Assert.Equal(100, ReleaseMoves.PromotionWeight(d.State));
    }
}
