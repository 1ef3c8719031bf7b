using LightMesh.Core.Analysis;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;

namespace LightMesh.Core.Tests.Releases;

public sealed class ReleaseDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static ReleaseWorkflowSpec Workflow(string steps, string extra = "") => ((ReleaseWorkflow)DocumentParser.Parse(
        $"apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {{name: w}}\nspec:\n{extra}  steps:\n{steps}", "w.yaml").Documents.Single().Document).Spec;

    private const string Canary = "  - deploy: {replicas: 1}\n  - setWeight: 10\n  - pause: {duration: 1m}\n  - analysis: {templates: [error-rate]}\n  - setWeight: 50\n  - promote: {}\n";

    private static ReleaseDecision Start(ReleaseWorkflowSpec spec) => ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", spec, "ci", T0);

    private static ReleaseDecision Step(ReleaseDecision d, ReleaseInput input, TimeSpan after) => ReleaseDecider.Decide(d.State, input, T0 + after);

    /// <summary>Reports every move of the promotion done, in order, as the engine does.</summary>
    private static ReleaseDecision Promoted(ReleaseDecision d, TimeSpan after) =>
        Enum.GetValues<PromotionMove>().Aggregate(d, (decision, move) => Step(decision, new PromotionMoved(decision.State.Step, move), after));

    /// <summary>Reports every move of the rollback done, in order, as the engine does.</summary>
    private static ReleaseDecision RolledBack(ReleaseDecision d, TimeSpan after) =>
        Enum.GetValues<RollbackMove>().Aggregate(d, (decision, move) => Step(decision, new RollbackMoved(move), after));

    [Fact]
    public void HealthyRelease_WalksEveryStepToPromotion()
    {
        var d = Start(Workflow(Canary));
        Assert.Equal(new DeployCanary(1), d.Command);

        d = Step(d, new StepSucceeded(0), TimeSpan.FromSeconds(5));
        Assert.Equal(new SetCanaryWeight(10), d.Command);
        d = Step(d, new StepSucceeded(1), TimeSpan.FromSeconds(6));
        Assert.Equal(new WaitUntil(T0 + TimeSpan.FromSeconds(66)), d.Command);
        Assert.Equal(10, d.State.CanaryWeight);

        d = Step(d, new TimerFired(), TimeSpan.FromSeconds(66));
        var analysis = Assert.IsType<RunAnalysis>(d.Command);
        Assert.Equal(["error-rate"], analysis.Templates);
        d = Step(d, new AnalysisEnded(3, AnalysisPhase.Successful, "ok"), TimeSpan.FromSeconds(90));
        Assert.Equal(new SetCanaryWeight(50), d.Command);
        d = Step(d, new StepSucceeded(4), TimeSpan.FromSeconds(91));
        Assert.IsType<Promote>(d.Command);
        d = Promoted(d, TimeSpan.FromSeconds(95));

        Assert.Equal(new Finished(ReleasePhase.Succeeded), d.Command);
        Assert.Equal(ReleasePhase.Succeeded, d.State.Phase);
        Assert.Equal(["started", "deploy done", "setWeight done", "pausing", "pause done", "analysis done", "setWeight done", "promoting", "succeeded"], d.State.Events.Select(e => e.Action));
    }

    [Fact]
    public void TimedPause_KeepsItsDeadlineWhenTheTimerFiresEarly()
    {
        var d = Step(Step(Start(Workflow(Canary)), new StepSucceeded(0), TimeSpan.FromSeconds(1)), new StepSucceeded(1), TimeSpan.FromSeconds(2));
        var deadline = Assert.IsType<WaitUntil>(d.Command).Until;

        // A restarted controller re-arms its timer and it fires early: the same deadline comes back.
        var early = Step(d, new TimerFired(), TimeSpan.FromSeconds(30));

        Assert.Equal(new WaitUntil(deadline), early.Command);
        Assert.Equal(d.State.Events.Count, early.State.Events.Count);
    }

    [Fact]
    public void FailedAnalysis_RollsBackAndEndsRolledBackWithTheReason()
    {
        var d = Start(Workflow(Canary));
        foreach (var (input, at) in new (ReleaseInput, int)[] { (new StepSucceeded(0), 1), (new StepSucceeded(1), 2), (new TimerFired(), 70) })
        {
            d = Step(d, input, TimeSpan.FromSeconds(at));
        }

        d = Step(d, new AnalysisEnded(3, AnalysisPhase.Failed, "error-rate 0.2 does not meet result < 0.05"), TimeSpan.FromSeconds(80));
        Assert.Equal(new RollBack(RollbackMove.StableTakesAll, "analysis failed: error-rate 0.2 does not meet result < 0.05"), d.Command);
        Assert.NotNull(Step(d, new OperatorInput(OperatorAction.Promote, "alice"), TimeSpan.FromSeconds(81)).Refused);

        d = RolledBack(d, TimeSpan.FromSeconds(85));
        Assert.Equal(ReleasePhase.RolledBack, d.State.Phase);
        Assert.Equal(0, d.State.CanaryWeight);
        Assert.Equal("analysis failed: error-rate 0.2 does not meet result < 0.05", d.State.Events[^1].Reason);
    }

    [Fact]
    public void InconclusiveAnalysis_PausesAndResumeContinues_OrRollsBackByPolicy()
    {
        const string steps = "  - deploy: {}\n  - analysis: {templates: [t]}\n  - promote: {}\n";
        var d = Step(Step(Start(Workflow(steps)), new StepSucceeded(0), TimeSpan.FromSeconds(1)), new AnalysisEnded(1, AnalysisPhase.Inconclusive, "no data"), TimeSpan.FromSeconds(2));
        Assert.Equal(ReleasePhase.Paused, d.State.Phase);
        Assert.Equal(new WaitForOperator("analysis inconclusive: no data"), d.Command);

        d = Step(d, new OperatorInput(OperatorAction.Resume, "bob"), TimeSpan.FromSeconds(3));
        Assert.IsType<Promote>(d.Command);

        var strict = Step(Step(Start(Workflow(steps, "  onInconclusive: rollback\n")), new StepSucceeded(0), TimeSpan.FromSeconds(1)), new AnalysisEnded(1, AnalysisPhase.Inconclusive, "no data"), TimeSpan.FromSeconds(2));
        Assert.IsType<RollBack>(strict.Command);
    }

    [Fact]
    public void OperatorPauseResumeAbort()
    {
        var d = Step(Start(Workflow(Canary)), new StepSucceeded(0), TimeSpan.FromSeconds(1));
        d = Step(d, new OperatorInput(OperatorAction.Pause, "carol"), TimeSpan.FromSeconds(2));
        Assert.Equal(ReleasePhase.Paused, d.State.Phase);
        Assert.NotNull(Step(d, new OperatorInput(OperatorAction.Pause, "carol"), TimeSpan.FromSeconds(3)).Refused);

        d = Step(d, new OperatorInput(OperatorAction.Resume, "carol"), TimeSpan.FromSeconds(4));
        Assert.Equal(new SetCanaryWeight(10), d.Command);

        d = Step(d, new OperatorInput(OperatorAction.Abort, "carol"), TimeSpan.FromSeconds(5));
        Assert.Equal(new RollBack(RollbackMove.StableTakesAll, "aborted by carol"), d.Command);
        Assert.Equal(ReleasePhase.Aborted, RolledBack(d, TimeSpan.FromSeconds(6)).State.Phase);
    }

    /// <summary>A pause stops the analysis it interrupts; resuming runs it again from its start, and the event log says so.</summary>
    [Fact]
    public void ResumingAnOperatorsPauseOfAnAnalysis_RunsItAgain_AndTheEventSaysSo()
    {
        const string steps = "  - deploy: {}\n  - analysis: {templates: [t]}\n  - promote: {}\n";
        var d = Step(Start(Workflow(steps)), new StepSucceeded(0), TimeSpan.FromSeconds(1));
        Assert.IsType<RunAnalysis>(d.Command);

        d = Step(d, new OperatorInput(OperatorAction.Pause, "bob"), TimeSpan.FromSeconds(2));
        Assert.NotNull(Step(d, new AnalysisEnded(1, AnalysisPhase.Successful, "stopped by the pause", []), TimeSpan.FromSeconds(3)).Refused);
        d = Step(d, new OperatorInput(OperatorAction.Resume, "alice"), TimeSpan.FromSeconds(4));

        Assert.IsType<RunAnalysis>(d.Command);
        Assert.Equal(("resumed", "alice", "resumed by alice; step 1 (analysis) runs again from its first measurement (was: paused by bob)"),
            (d.State.Events[^1].Action, d.State.Events[^1].Actor, d.State.Events[^1].Reason));
    }

    [Fact]
    public void PromoteFinishesTheStep_AndPromoteFullSkipsToPromotion()
    {
        var pausing = Step(Step(Start(Workflow(Canary)), new StepSucceeded(0), TimeSpan.FromSeconds(1)), new StepSucceeded(1), TimeSpan.FromSeconds(2));
        var promoted = Step(pausing, new OperatorInput(OperatorAction.Promote, "dan"), TimeSpan.FromSeconds(3));
        Assert.IsType<RunAnalysis>(promoted.Command);

        var full = Step(pausing, new OperatorInput(OperatorAction.PromoteFull, "dan"), TimeSpan.FromSeconds(3));
        Assert.IsType<Promote>(full.Command);
        Assert.Equal(5, full.State.Step);
    }

    [Fact]
    public void ApprovalWaitsForApproveOrReject()
    {
        const string steps = "  - deploy: {}\n  - approval: {}\n  - setWeight: 100\n";
        var waiting = Step(Start(Workflow(steps)), new StepSucceeded(0), TimeSpan.FromSeconds(1));
        Assert.Equal(new WaitForOperator("waiting for approval"), waiting.Command);
        Assert.NotNull(Step(waiting, new OperatorInput(OperatorAction.Resume, "eve"), TimeSpan.FromSeconds(2)).Refused);

        Assert.Equal(new SetCanaryWeight(100), Step(waiting, new OperatorInput(OperatorAction.Approve, "eve"), TimeSpan.FromSeconds(2)).Command);
        Assert.Equal(new RollBack(RollbackMove.StableTakesAll, "rejected by eve"), Step(waiting, new OperatorInput(OperatorAction.Reject, "eve"), TimeSpan.FromSeconds(2)).Command);
    }

    [Fact]
    public void AGroupApprovalStep_InAGroupsMember_IsEndedByTheGroupsApprovalOnly_AndInALoneReleaseByAnyApprove()
    {
        const string steps = "  - deploy: {}\n  - approval: {group: true}\n  - setWeight: 100\n";
        Assert.Equal(new ApprovalStep { Group = true }, Workflow(steps).Steps[1]);
        var lone = Step(Start(Workflow(steps)), new StepSucceeded(0), TimeSpan.FromSeconds(1));
        var member = lone with { State = lone.State with { Group = "shop-1" } };
        Assert.Equal(new WaitForOperator("waiting for approval"), member.Command);

        foreach (var action in new[] { OperatorAction.Approve, OperatorAction.Promote })
        {
            var refused = Step(member, new OperatorInput(action, "eve"), TimeSpan.FromSeconds(2));
            Assert.Equal("step 1 is the group's approval: approve group release shop-1 (lightmesh release group approve shop-1)", refused.Refused);
            Assert.Same(member.State, refused.State);
        }

        var approved = Step(member, new GroupApproved("ops (group shop-1, action 1)"), TimeSpan.FromSeconds(2));
        Assert.Equal(new SetCanaryWeight(100), approved.Command);
        Assert.Contains(approved.State.Events, e => e.Actor == "ops (group shop-1, action 1)" && e.Step == 1);
        Assert.NotNull(Step(approved, new GroupApproved("ops"), TimeSpan.FromSeconds(3)).Refused);

        // Reject stays the member's: it rolls the member back, and so the group.
        Assert.IsType<RollBack>(Step(member, new OperatorInput(OperatorAction.Reject, "eve"), TimeSpan.FromSeconds(2)).Command);
        Assert.Equal(new SetCanaryWeight(100), Step(lone, new OperatorInput(OperatorAction.Approve, "eve"), TimeSpan.FromSeconds(2)).Command);
    }

    [Fact]
    public void StaleResults_AreRefusedAndChangeNothing()
    {
        var d = Step(Start(Workflow(Canary)), new StepSucceeded(0), TimeSpan.FromSeconds(1));

        var again = Step(d, new StepSucceeded(0), TimeSpan.FromSeconds(2));

        Assert.NotNull(again.Refused);
        Assert.Same(d.State, again.State);
        Assert.Equal(new SetCanaryWeight(10), again.Command);
    }

    [Fact]
    public void BackgroundFailureAndProgressDeadline_RollBack()
    {
        var d = Step(Start(Workflow(Canary, "  progressDeadline: 10m\n")), new StepSucceeded(0), TimeSpan.FromSeconds(1));

        Assert.Equal(new RollBack(RollbackMove.StableTakesAll, "background analysis failed: 5xx"), Step(d, new BackgroundAnalysisFailed("5xx"), TimeSpan.FromSeconds(2)).Command);
        var stuck = Step(d, new StepSucceeded(1), TimeSpan.FromMinutes(11));
        Assert.Equal(new RollBack(RollbackMove.StableTakesAll, "no progress for 10m"), stuck.Command);
        Assert.Equal(ReleasePhase.Failed, RolledBack(stuck, TimeSpan.FromMinutes(12)).State.Phase);
    }
}
