using LightMesh.Core.Analysis;

namespace LightMesh.Core.Releases;

/// <summary>The decider's answer: the release's new state, the command to carry out, or why an input was refused.</summary>
public sealed record ReleaseDecision(ReleaseState State, ReleaseCommand Command, string? Refused = null);

/// <summary>
/// The release logic, with no I/O and no clock of its own (the time comes in with each input): given a release's
/// state and what happened, it returns the next state and the one command the engine must carry out. Replaying the
/// same inputs gives the same states, so a restarted controller continues exactly where the last one stopped.
/// </summary>
public static class ReleaseDecider
{
    private const string Controller = "controller";

    /// <summary>Why a release held by its delivery windows is paused.</summary>
    public const string OutsideWindow = "outside delivery window";

    public static ReleaseDecision Start(string id, string service, string version, string stableVersion, string workflow, ReleaseWorkflowSpec spec, string actor, DateTimeOffset now)
    {
        var state = new ReleaseState
        {
            Id = id, Service = service, Version = version, StableVersion = stableVersion, Workflow = workflow, Spec = spec,
            StartedAt = now, LastProgressAt = now,
            StartedBy = actor,
            Events = [new ReleaseEvent(now, 0, "started", actor, $"{service} {stableVersion} -> {version} with {workflow}")],
        };
        return Enter(state, now);
    }

    public static ReleaseDecision Decide(ReleaseState state, ReleaseInput input, DateTimeOffset now)
    {
        if (state.IsFinished)
        {
            return Refuse(state, $"the release has ended ({state.Phase})");
        }

        if (state.RollingBack is not null && input is not RollbackCompleted and not StepFailed)
        {
            return Refuse(state, $"the release is rolling back ({state.RollingBack})");
        }

        if (state.Phase == ReleasePhase.Progressing && state.Spec.ProgressDeadline is { } deadline
            && now - state.LastProgressAt > deadline.Value && input is not RollbackCompleted)
        {
            return RollBack(state, now, Controller, $"no progress for {deadline}", ReleasePhase.Failed);
        }

        return input switch
        {
            StepSucceeded done => done.Step == state.Step ? Complete(state, now, Controller, "step succeeded") : Refuse(state, $"step {done.Step} is not the current step {state.Step}"),
            StepFailed failed when state.RollingBack is not null => new ReleaseDecision(state, new RollBack(state.RollingBack)),
            StepFailed failed => failed.Step == state.Step ? RollBack(state, now, Controller, $"step {failed.Step} ({state.CurrentStep?.Type}) failed: {failed.Reason}") : Refuse(state, $"step {failed.Step} is not the current step {state.Step}"),
            AnalysisEnded ended when ended.Step != state.Step => Refuse(state, $"analysis of step {ended.Step} is not the current step {state.Step}"),
            AnalysisEnded ended => AfterAnalysis(Record(state, ended.Metrics), ended, now),
            TimerFired => state.PauseUntil is { } until && now >= until && state.Phase == ReleasePhase.Progressing
                ? Complete(state with { PauseUntil = null }, now, Controller, "pause ended")
                : new ReleaseDecision(state, Command(state)),
            BackgroundAnalysisFailed background => RollBack(Record(state, background.Metrics), now, Controller, $"background analysis failed: {background.Reason}"),
            WindowClosed closed => state.Phase == ReleasePhase.Progressing
                ? Hold(state, now, closed.Reason)
                : Refuse(state, $"not progressing ({state.PausedBecause})"),
            WindowOpened opened => state.IsHeld
                ? Enter(Log(state with { Phase = ReleasePhase.Progressing, PausedBecause = null, LastProgressAt = now }, now, "resumed", Controller, opened.Reason), now)
                : Refuse(state, "not held outside a delivery window"),
            RollbackCompleted => Finish(state, state.EndingPhase ?? ReleasePhase.RolledBack, now, Controller, state.RollingBack ?? "rolled back"),
            OperatorInput op => Operate(state, op, now),
            _ => Refuse(state, $"unknown input {input.GetType().Name}"),
        };
    }

    private static ReleaseDecision AfterAnalysis(ReleaseState state, AnalysisEnded ended, DateTimeOffset now) => ended.Phase switch
    {
        AnalysisPhase.Successful => Complete(state, now, Controller, $"analysis passed: {ended.Reason}"),
        AnalysisPhase.Inconclusive when (state.Spec.OnInconclusive ?? InconclusivePolicy.Pause) == InconclusivePolicy.Pause =>
            Pause(state, now, Controller, $"analysis inconclusive: {ended.Reason}"),
        AnalysisPhase.Inconclusive => RollBack(state, now, Controller, $"analysis inconclusive: {ended.Reason}"),
        _ => RollBack(state, now, Controller, $"analysis failed: {ended.Reason}"),
    };

    private static ReleaseDecision Operate(ReleaseState state, OperatorInput op, DateTimeOffset now)
    {
        var waitingForApproval = state.CurrentStep is ApprovalStep;
        switch (op.Action)
        {
            case OperatorAction.Pause:
                return state.Phase == ReleasePhase.Paused ? Refuse(state, "already paused") : Pause(state, now, op.Actor, $"paused by {op.Actor}");
            case OperatorAction.Resume when state.Phase != ReleasePhase.Paused:
                return Refuse(state, "not paused");
            case OperatorAction.Resume when state.IsHeld:
                return Refuse(state, "held outside its delivery window: it resumes when a window opens (promote finishes the step anyway)");
            case OperatorAction.Resume when waitingForApproval:
                return Refuse(state, "waiting for approval: approve or reject");
            case OperatorAction.Resume:
                var resumed = Log(state with { Phase = ReleasePhase.Progressing, PausedBecause = null, LastProgressAt = now }, now, "resumed", op.Actor, state.PausedBecause ?? "");
                // An operator's pause returns to the step; a pause that was the step itself (untimed, or an inconclusive
                // analysis) ends it.
                return state.PausedBecause?.StartsWith("paused by", StringComparison.Ordinal) == true
                    ? Enter(resumed, now)
                    : Complete(resumed, now, op.Actor, "resumed");
            case OperatorAction.Abort:
                return RollBack(state, now, op.Actor, $"aborted by {op.Actor}", ReleasePhase.Aborted);
            case OperatorAction.Promote:
                return Complete(state with { Phase = ReleasePhase.Progressing, PausedBecause = null, PauseUntil = null }, now, op.Actor, $"step promoted by {op.Actor}");
            case OperatorAction.PromoteFull:
                var promote = state.Spec.Steps.Select((s, i) => (s, i)).FirstOrDefault(x => x.s is PromoteStep, (null!, state.Spec.Steps.Count)).Item2;
                var skipped = Log(state with { Phase = ReleasePhase.Progressing, PausedBecause = null, PauseUntil = null, Step = promote, LastProgressAt = now }, now, "promoted fully", op.Actor, $"skipped to step {promote}");
                return Enter(skipped, now);
            case OperatorAction.Approve when waitingForApproval:
                return Complete(state with { Phase = ReleasePhase.Progressing, PausedBecause = null }, now, op.Actor, $"approved by {op.Actor}");
            case OperatorAction.Reject when waitingForApproval:
                return RollBack(state, now, op.Actor, $"rejected by {op.Actor}");
            default:
                return Refuse(state, $"nothing to {op.Action.ToString().ToLowerInvariant()}: step {state.Step} is {state.CurrentStep?.Type ?? "the end"}");
        }
    }

    /// <summary>The current step is done: note its effect, move to the next step, and say what that needs.</summary>
    private static ReleaseDecision Complete(ReleaseState state, DateTimeOffset now, string actor, string reason)
    {
        var step = state.CurrentStep;
        if (step is PromoteStep or null)
        {
            return Finish(state, ReleasePhase.Succeeded, now, actor, "promoted");
        }

        var next = state with
        {
            Step = state.Step + 1,
            CanaryWeight = step is SetWeightStep w ? w.Weight : state.CanaryWeight,
            PauseUntil = null,
            LastProgressAt = now,
        };
        return Enter(Log(next, now, $"{step?.Type ?? "end"} done", actor, reason, state.Step), now);
    }

    /// <summary>What entering the current step asks of the engine.</summary>
    private static ReleaseDecision Enter(ReleaseState state, DateTimeOffset now)
    {
        switch (state.CurrentStep)
        {
            case null:
                // A workflow without a promote step promotes when its steps run out.
                return new ReleaseDecision(state, new PromoteCanary());
            case PauseStep { Duration: { } duration } when state.PauseUntil is null:
                var until = now + duration.Value;
                return new ReleaseDecision(Log(state with { PauseUntil = until }, now, "pausing", Controller, $"until {until:u}"), new WaitUntil(until));
            case PauseStep { Duration: null }:
                return Pause(state, now, Controller, "pause step: resume to continue");
            case ApprovalStep:
                return Pause(state, now, Controller, "waiting for approval");
            default:
                return new ReleaseDecision(state, Command(state));
        }
    }

    /// <summary>The command the release needs now; asking again gives the same one, so re-running after a crash is harmless.</summary>
    public static ReleaseCommand Pending(ReleaseState state) => state switch
    {
        { IsFinished: true } => new Finished(state.Phase),
        { RollingBack: { } reason } => new RollBack(reason),
        _ => Command(state),
    };

    private static ReleaseCommand Command(ReleaseState state) => state.Phase == ReleasePhase.Paused
        ? new WaitForOperator(state.PausedBecause ?? "paused")
        : state.CurrentStep switch
        {
            null => new PromoteCanary(),
            DeployStep d => new DeployCanary(d.Replicas ?? 1),
            SetWeightStep w => new SetCanaryWeight(w.Weight),
            PauseStep => state.PauseUntil is { } until ? new WaitUntil(until) : new WaitForOperator("pause step: resume to continue"),
            AnalysisStep a => new RunAnalysis(a.Templates, a.Args),
            WebhookStep h => new CallWebhook(h),
            ApprovalStep => new WaitForOperator("waiting for approval"),
            PromoteStep => new PromoteCanary(),
            _ => throw new InvalidOperationException($"unknown step {state.CurrentStep.Type}"),
        };

    private static ReleaseDecision Pause(ReleaseState state, DateTimeOffset now, string actor, string reason)
    {
        var paused = Log(state with { Phase = ReleasePhase.Paused, PausedBecause = reason }, now, "paused", actor, reason);
        return new ReleaseDecision(paused, new WaitForOperator(reason));
    }

    /// <summary>Holds the release where it is; the progress deadline does not count while it is held.</summary>
    private static ReleaseDecision Hold(ReleaseState state, DateTimeOffset now, string reason)
    {
        var held = Log(state with { Phase = ReleasePhase.Paused, PausedBecause = OutsideWindow }, now, "held", Controller, $"{OutsideWindow}: {reason}");
        return new ReleaseDecision(held, new WaitForOperator(OutsideWindow));
    }

    private static ReleaseDecision RollBack(ReleaseState state, DateTimeOffset now, string actor, string reason, ReleasePhase ending = ReleasePhase.RolledBack)
    {
        var rolling = Log(state with { Phase = ReleasePhase.Progressing, RollingBack = reason, EndingPhase = ending, PauseUntil = null }, now, "rolling back", actor, reason);
        return new ReleaseDecision(rolling, new RollBack(reason));
    }

    private static ReleaseDecision Finish(ReleaseState state, ReleasePhase phase, DateTimeOffset now, string actor, string reason)
    {
        var action = phase switch
        {
            ReleasePhase.RolledBack => "rolled back",
            _ => phase.ToString().ToLowerInvariant(),
        };
        var finished = Log(state with { Phase = phase, PausedBecause = null, CanaryWeight = 0 }, now, action, actor, reason);
        return new ReleaseDecision(finished, new Finished(phase));
    }

    private static ReleaseDecision Refuse(ReleaseState state, string why) => new(state, Pending(state), why);

    private static ReleaseState Record(ReleaseState state, IReadOnlyList<AnalysisRecord>? metrics) =>
        metrics is null or [] ? state : state with { Analyses = [.. state.Analyses, .. metrics] };

    /// <summary>Adds a transition to the log, at <paramref name="step"/> (the step it concerns; the current one by default).</summary>
    private static ReleaseState Log(ReleaseState state, DateTimeOffset now, string action, string actor, string reason, int? step = null) =>
        state with { Events = [.. state.Events, new ReleaseEvent(now, step ?? state.Step, action, actor, reason)] };
}
