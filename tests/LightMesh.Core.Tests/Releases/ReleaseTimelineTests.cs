using CsCheck;
using LightMesh.Core.Analysis;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// A release's timeline and weight history, read from its events: examples of the ways a release goes, and the promises
/// held over generated histories (a failing case prints CsCheck's seed; see <see cref="ReleaseDeciderPropertyTests"/>).
/// </summary>
public sealed class ReleaseTimelineTests
{
    private static readonly DateTimeOffset T0 = ReleaseDeciderPropertyTests.T0;

    private const string Canary = "  - deploy: {}\n  - setWeight: 10\n  - approval: {}\n  - analysis: {templates: [error-rate]}\n  - setWeight: 50\n  - promote: {}\n";

    private static ReleaseDecision Start() => ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", ((ReleaseWorkflow)DocumentParser.Parse(
        $"apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {{name: w}}\nspec:\n  steps:\n{Canary}", "w.yaml").Documents.Single().Document).Spec, "ci", T0);

    private static ReleaseDecision At(ReleaseDecision d, int seconds, ReleaseInput input) => ReleaseDecider.Decide(d.State, input, T0.AddSeconds(seconds));

    private static ReleaseDecision ToAnalysis()
    {
        var d = At(Start(), 5, new StepSucceeded(0));
        d = At(d, 6, new StepSucceeded(1));
        return At(d, 40, new OperatorInput(OperatorAction.Approve, "alice"));
    }

    [Fact]
    public void Succeeded_EveryStepDoneWithItsTimesAndWhoActed()
    {
        var d = At(ToAnalysis(), 70, new AnalysisEnded(3, AnalysisPhase.Successful, "ok"));
        d = At(d, 71, new StepSucceeded(4));
        d = Enum.GetValues<PromotionMove>().Aggregate(d, (decision, move) => At(decision, 80, new PromotionMoved(5, move)));

        var steps = ReleaseTimeline.Steps(d.State);
        Assert.All(steps, s => Assert.Equal(StepProgress.Done, s.Progress));
        Assert.Equal([0, 5, 6, 40, 70, 71], steps.Select(s => (int)(s.Began!.Value - T0).TotalSeconds));
        Assert.Equal([5, 6, 40, 70, 71, 80], steps.Select(s => (int)(s.Ended!.Value - T0).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(34), steps[2].Duration(T0.AddDays(1)));
        Assert.Equal(["alice"], steps[2].Actors);
        Assert.All(steps.Where(s => s.Index != 2), s => Assert.Empty(s.Actors));
        Assert.Equal([(0, 0), (6, 10), (71, 50), (80, 100)], ReleaseTimeline.Weights(d.State).Select(p => ((int)(p.At - T0).TotalSeconds, p.Weight)));
        Assert.Null(ReleaseTimeline.RollbackBegan(d.State));
    }

    [Fact]
    public void RolledBack_TheFailedStepStopsWhereTheRollbackBeganAndTheWeightEndsAtZero()
    {
        var d = At(ToAnalysis(), 70, new AnalysisEnded(3, AnalysisPhase.Failed, "error-rate 0.2 > 0.05"));
        var rolling = ReleaseTimeline.Steps(d.State);
        Assert.Equal(StepProgress.Stopped, rolling[3].Progress);
        Assert.Equal(T0.AddSeconds(70), ReleaseTimeline.RollbackBegan(d.State));
        Assert.Equal(10, ReleaseTimeline.Weights(d.State)[^1].Weight);

        d = Enum.GetValues<RollbackMove>().Aggregate(d, (decision, move) => At(decision, 90, new RollbackMoved(move)));
        var steps = ReleaseTimeline.Steps(d.State);
        Assert.Equal([StepProgress.Done, StepProgress.Done, StepProgress.Done, StepProgress.Stopped, StepProgress.NotReached, StepProgress.NotReached], steps.Select(s => s.Progress));
        Assert.Equal((T0.AddSeconds(40), T0.AddSeconds(70)), (steps[3].Began, steps[3].Ended));
        Assert.Equal((null, null), (steps[4].Began, steps[4].Ended));
        Assert.Equal([(0, 0), (6, 10), (90, 0)], ReleaseTimeline.Weights(d.State).Select(p => ((int)(p.At - T0).TotalSeconds, p.Weight)));
    }

    [Fact]
    public void PromotedFully_SkippedStepsHaveNoTimesAndThePromoteStepBeginsAtTheJump()
    {
        var d = At(Start(), 5, new StepSucceeded(0));
        d = At(d, 6, new StepSucceeded(1));
        d = At(d, 30, new OperatorInput(OperatorAction.PromoteFull, "bob"));
        var steps = ReleaseTimeline.Steps(d.State);
        Assert.Equal([StepProgress.Done, StepProgress.Done, StepProgress.Skipped, StepProgress.Skipped, StepProgress.Skipped, StepProgress.Running], steps.Select(s => s.Progress));
        Assert.Equal(T0.AddSeconds(30), steps[5].Began);
        Assert.Null(steps[5].Ended);
        Assert.Equal(TimeSpan.FromSeconds(15), steps[5].Duration(T0.AddSeconds(45)));
        Assert.Equal(["bob"], steps[5].Actors);
        Assert.All(steps.Where(s => s.Progress == StepProgress.Skipped), s => Assert.Null(s.Began));
    }

    [Fact]
    public void Timeline_AnyHistory_IsConsistentWithTheRelease() =>
        ReleaseDeciderPropertyTests.Workflow.Select(ReleaseDeciderPropertyTests.Happenings.Array[1, 60]).Sample((spec, happenings) =>
        {
            var now = T0;
            var d = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", spec, "ci", now);
            foreach (var happening in happenings)
            {
                now = now.AddSeconds(happening.Seconds);
                d = ReleaseDecider.Decide(d.State, ReleaseDeciderPropertyTests.InputFor(d.State, happening, now), now);
                Check(d.State, now);
            }
        }, iter: 2000);

    private static void Check(ReleaseState release, DateTimeOffset now)
    {
        var steps = ReleaseTimeline.Steps(release);
        Assert.Equal(release.Spec.Steps.Count, steps.Count);
        foreach (var step in steps)
        {
            // Times are those of the release, in order; a step with an end has a beginning.
            Assert.True(step.Ended is null || (step.Began is { } began && began <= step.Ended), $"step {step.Index}: began {step.Began}, ended {step.Ended}");
            Assert.True(step.Began is null || (step.Began >= release.StartedAt && step.Began <= now), $"step {step.Index}: began {step.Began}, outside the release");
            Assert.True(step.Duration(now) is null or { Ticks: >= 0 });

            // Only the current step runs or waits, and only a finished step, the current one or one passed over has a time.
            Assert.True(step.Progress is not (StepProgress.Running or StepProgress.Waiting) || step.Index == release.Step, $"step {step.Index} is {step.Progress} at step {release.Step}");
            Assert.True(step.Progress != StepProgress.Running || (release.Phase == ReleasePhase.Progressing && release.RollingBack is null));
            Assert.True(step.Progress != StepProgress.Waiting || release.Phase == ReleasePhase.Paused);
            Assert.Equal(step.Progress is StepProgress.Done or StepProgress.Running or StepProgress.Waiting or StepProgress.Stopped, step.Began is not null);
            Assert.True(step.Progress != StepProgress.NotReached || step.Index >= release.Step);
            Assert.DoesNotContain(ReleaseEvents.Controller, step.Actors);
        }

        // A running release stops on at most one step; a succeeded one stops on none.
        Assert.True(steps.Count(s => s.Progress == StepProgress.Stopped) <= (release.Phase == ReleasePhase.Succeeded ? 0 : 1));

        var weights = ReleaseTimeline.Weights(release);
        Assert.Equal((release.StartedAt, 0), (weights[0].At, weights[0].Weight));
        Assert.True(weights.Zip(weights.Skip(1)).All(p => p.First.At < p.Second.At), "weight points out of time order");
        Assert.All(weights, p => Assert.InRange(p.Weight, 0, 100));
        var last = weights[^1].Weight;
        switch (release.Phase)
        {
            case ReleasePhase.Succeeded:
                Assert.Equal(100, last);
                break;
            case ReleasePhase.RolledBack or ReleasePhase.Aborted or ReleasePhase.Failed:
                Assert.Equal(0, last);
                Assert.NotNull(ReleaseTimeline.RollbackBegan(release));
                break;
            default:
                Assert.Equal(release.CanaryWeight, last);
                break;
        }
    }
}
