using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;

namespace LightMesh.Core.Tests.Releases;

/// <summary>How the decider holds a release outside its delivery windows and lets it go on when one opens.</summary>
public sealed class ReleaseDeciderWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static ReleaseDecision Started() => ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", ((ReleaseWorkflow)DocumentParser.Parse(
        "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  progressDeadline: 1m\n  steps:\n  - deploy: {}\n  - setWeight: 10\n  - promote: {}\n",
        "w.yaml").Documents.Single().Document).Spec, "ci", T0);

    private static ReleaseDecision Held()
    {
        var deployed = ReleaseDecider.Decide(Started().State, new StepSucceeded(0), T0.AddSeconds(1));
        return ReleaseDecider.Decide(deployed.State, new WindowClosed("window hours opens at 2026-11-30 09:00:00Z"), T0.AddSeconds(2));
    }

    [Fact]
    public void WindowClosed_HoldsTheReleaseAtItsStep_WithTheReason()
    {
        var held = Held();

        Assert.Equal((ReleasePhase.Paused, ReleaseDecider.OutsideWindow, 1, true), (held.State.Phase, held.State.PausedBecause, held.State.Step, held.State.IsHeld));
        Assert.Equal(new WaitForOperator(ReleaseDecider.OutsideWindow), held.Command);
        Assert.Equal(("held", "outside delivery window: window hours opens at 2026-11-30 09:00:00Z"), (held.State.Events[^1].Action, held.State.Events[^1].Reason));
    }

    [Fact]
    public void WindowOpened_ResumesTheStepItHeld()
    {
        var resumed = ReleaseDecider.Decide(Held().State, new WindowOpened("window hours open until 2026-11-30 17:00:00Z"), T0.AddDays(2));

        Assert.Equal((ReleasePhase.Progressing, (string?)null, 1), (resumed.State.Phase, resumed.State.PausedBecause, resumed.State.Step));
        Assert.Equal(new SetCanaryWeight(10), resumed.Command);
        Assert.Equal(("resumed", "controller"), (resumed.State.Events[^1].Action, resumed.State.Events[^1].Actor));
    }

    [Fact]
    public void Held_ProgressDeadlineDoesNotCount()
    {
        // Two days held, with a one-minute progress deadline: it resumes rather than failing.
        var resumed = ReleaseDecider.Decide(Held().State, new WindowOpened("open"), T0.AddDays(2));
        var stepped = ReleaseDecider.Decide(resumed.State, new StepSucceeded(1), T0.AddDays(2).AddSeconds(5));

        Assert.Equal(new Promote(PromotionMove.CanaryTakesAll), stepped.Command);
    }

    [Fact]
    public void Held_OperatorResumeIsRefused_ButAbortRollsBack()
    {
        var resume = ReleaseDecider.Decide(Held().State, new OperatorInput(OperatorAction.Resume, "alice"), T0.AddSeconds(3));
        var abort = ReleaseDecider.Decide(Held().State, new OperatorInput(OperatorAction.Abort, "alice"), T0.AddSeconds(3));

        Assert.Contains("held outside its delivery window", resume.Refused, StringComparison.Ordinal);
        Assert.IsType<RollBack>(abort.Command);
    }

    [Fact]
    public void WindowInputs_OutOfPlace_AreRefusedAndChangeNothing()
    {
        var started = Started();
        var paused = ReleaseDecider.Decide(started.State, new OperatorInput(OperatorAction.Pause, "alice"), T0.AddSeconds(1));

        Assert.NotNull(ReleaseDecider.Decide(started.State, new WindowOpened("open"), T0.AddSeconds(1)).Refused);
        Assert.NotNull(ReleaseDecider.Decide(paused.State, new WindowClosed("closed"), T0.AddSeconds(2)).Refused);
        Assert.NotNull(ReleaseDecider.Decide(paused.State, new WindowOpened("open"), T0.AddSeconds(2)).Refused);
    }
}
