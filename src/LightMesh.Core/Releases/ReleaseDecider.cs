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
    private const string Controller = ReleaseEvents.Controller;

    /// <summary>Why a release held by its delivery windows is paused.</summary>
    public const string OutsideWindow = "outside delivery window";

    public static ReleaseDecision Start(string id, string service, string version, string stableVersion, string workflow, ReleaseWorkflowSpec spec, string actor, DateTimeOffset now)
    {
        var state = new ReleaseState
        {
            Id = id, Service = service, Version = version, StableVersion = stableVersion, Workflow = workflow, Spec = spec,
            StartedAt = now, LastProgressAt = now,
            StartedBy = actor,
            Events = [new ReleaseEvent(now, 0, ReleaseEvents.Started, actor, $"{service} {stableVersion} -> {version} with {workflow}")],
        };
        return Enter(state, now);
    }

    public static ReleaseDecision Decide(ReleaseState state, ReleaseInput input, DateTimeOffset now)
    {
        var decision = DecideInput(state, input, now);

        // Every change the decider makes stops the command that was running (the engine cancels a command whose release
        // changes), so what that command could not measure is no longer where the release stands.
        return ReferenceEquals(decision.State, state) || decision.State.Unmeasured.Count == 0
            ? decision
            : decision with { State = decision.State with { Unmeasured = [] } };
    }

    private static ReleaseDecision DecideInput(ReleaseState state, ReleaseInput input, DateTimeOffset now)
    {
        if (state.IsFinished)
        {
            return Refuse(state, now, $"the release has ended ({state.Phase})");
        }

        if (state.RollingBack is not null)
        {
            return WhileRollingBack(state, input, now);
        }

        if (state.Phase == ReleasePhase.Paused && input is StepSucceeded or StepFailed or StepInterrupted or AnalysisEnded or PromotionMoved)
        {
            // A paused release runs no command: this outcome is from one that was stopped when it paused.
            return Refuse(state, now, "paused: the outcome of a command stopped by the pause does not count");
        }

        // A wait the workflow asks for (a timed pause, a promotion's held weight or window) is progress, however long.
        if (state.Phase == ReleasePhase.Progressing && state.PauseUntil is null && state.Spec.ProgressDeadline is { } deadline && now - state.LastProgressAt > deadline.Value)
        {
            return RollBack(state, now, Controller, $"no progress for {deadline}", ReleasePhase.Failed);
        }

        return input switch
        {
            StepSucceeded done => done.Step == state.Step ? Complete(state, now, Controller, "step succeeded") : NotCurrent(state, now, done.Step),
            StepFailed failed => failed.Step == state.Step ? RollBack(state, now, Controller, $"step {failed.Step} ({StepType(state)}) failed: {failed.Reason}") : NotCurrent(state, now, failed.Step),
            StepInterrupted interrupted => interrupted.Step == state.Step ? Interrupted(state, interrupted, now) : NotCurrent(state, now, interrupted.Step),
            PromotionMoved moved => moved.Step == state.Step && moved.Move == state.Promotion && state.CurrentStep is PromoteStep or null
                ? AfterMove(state, moved.Move, now)
                : Refuse(state, now, $"the promotion is not at {moved.Move} of step {moved.Step}"),
            AnalysisEnded ended when ended.Step != state.Step => Refuse(state, now, $"analysis of step {ended.Step} is not the current step {state.Step}"),
            AnalysisEnded ended when state.Promotion == PromotionMove.PreviousKept => AfterPostPromotionAnalysis(Record(state, ended.Metrics), ended, now),
            AnalysisEnded ended => AfterAnalysis(Record(state, ended.Metrics), ended, now),
            TimerFired => Timer(state, now),
            BackgroundAnalysisFailed background => RollBack(Record(state, background.Metrics), now, Controller,
                background.Group ? $"the group's analysis ({state.Group}) failed: {background.Reason}" : $"background analysis failed: {background.Reason}"),
            WindowClosed closed => state.Phase == ReleasePhase.Progressing
                ? Hold(state, now, closed.Reason)
                : Refuse(state, now, $"not progressing ({state.PausedBecause})"),
            WindowOpened opened => state.IsHeld
                ? Enter(Log(Resumed(state, now), now, "resumed", Controller, opened.Reason), now)
                : Refuse(state, now, "not held outside a delivery window"),
            RoutesChanged changed => RoutesTakenAway(state, changed, now),
            RollbackMoved => Refuse(state, now, "not rolling back"),
            RoutesRestored => state.RestoringRoutes && state.Phase == ReleasePhase.Progressing
                ? Restored(Log(state with { RestoringRoutes = false, Retry = null }, now, "routes restored", Controller, $"canary at {state.CanaryWeight}% again"), now)
                : Refuse(state, now, "not restoring its routes"),
            OperatorInput op => Operate(state, op, now),
            GroupApproved approved => state.CurrentStep is ApprovalStep
                ? Complete(Resumed(state, now), now, approved.Actor, $"approved by {approved.Actor}")
                : Refuse(state, now, $"nothing to approve: step {state.Step} is {state.CurrentStep?.Type ?? "the end"}"),
            _ => Refuse(state, now, $"unknown input {input.GetType().Name}"),
        };
    }

    /// <summary>
    /// Someone forced a change of the routes the release manages: it pauses (or stays paused, noting who changed what),
    /// and once it goes on again it first takes its routes back (its subsets, the canary at its weight). A promotion's
    /// moves write the routes themselves.
    /// </summary>
    private static ReleaseDecision RoutesTakenAway(ReleaseState state, RoutesChanged changed, DateTimeOffset now)
    {
        var taken = state with { RestoringRoutes = state.Promotion is null };
        return state.Phase == ReleasePhase.Paused
            ? new ReleaseDecision(Log(taken, now, "routes changed", changed.Actor, changed.Change), Pending(taken, now))
            : Pause(taken, now, changed.Actor, $"routes changed by {changed.Actor}: {changed.Change}", PauseKind.RoutesChanged);
    }

    private static ReleaseDecision Restored(ReleaseState state, DateTimeOffset now) => new(state, Pending(state, now));

    /// <summary>A rollback is carried through whatever happens: only its own outcomes and its retries count.</summary>
    private static ReleaseDecision WhileRollingBack(ReleaseState state, ReleaseInput input, DateTimeOffset now) => input switch
    {
        RollbackMoved moved when moved.Move == (state.Rollback ?? ReleaseMoves.FirstRollback(state)) => ReleaseMoves.After(moved.Move) is { } next
            ? new ReleaseDecision(state with { Rollback = next, Retry = null }, new RollBack(next, state.RollingBack!))
            : Finish(state, state.EndingPhase ?? ReleasePhase.RolledBack, now, Controller, state.RollingBack!),
        StepInterrupted interrupted => Retrying(state, interrupted.Reason, interrupted.RetryAt, now),
        StepFailed => new ReleaseDecision(state, Pending(state, now)),
        TimerFired => Timer(state, now),
        _ => Refuse(state, now, $"the release is rolling back ({state.RollingBack})"),
    };

    private static ReleaseDecision AfterAnalysis(ReleaseState state, AnalysisEnded ended, DateTimeOffset now) => ended.Phase switch
    {
        AnalysisPhase.Successful => Complete(state, now, Controller, $"analysis passed: {ended.Reason}"),
        AnalysisPhase.Inconclusive when (state.Spec.OnInconclusive ?? InconclusivePolicy.Pause) == InconclusivePolicy.Pause =>
            Pause(state, now, Controller, $"analysis inconclusive: {ended.Reason}", PauseKind.Inconclusive),
        AnalysisPhase.Inconclusive => RollBack(state, now, Controller, $"analysis inconclusive: {ended.Reason}"),
        _ => RollBack(state, now, Controller, $"analysis failed: {ended.Reason}"),
    };

    /// <summary>
    /// The post-promotion analysis has ended: passed, the rest of the window is held (then the promotion goes on); failed,
    /// all the traffic goes back to the old version, which still runs.
    /// </summary>
    private static ReleaseDecision AfterPostPromotionAnalysis(ReleaseState state, AnalysisEnded ended, DateTimeOffset now)
    {
        if (ended.Phase == AnalysisPhase.Successful)
        {
            var passed = Log(state with { PostPromotionChecked = true, LastProgressAt = now }, now, "post-promotion analysis passed", Controller, ended.Reason);
            return new ReleaseDecision(passed, Pending(passed, now));
        }

        return ended.Phase == AnalysisPhase.Inconclusive && (state.Spec.OnInconclusive ?? InconclusivePolicy.Pause) == InconclusivePolicy.Pause
            ? Pause(state, now, Controller, $"post-promotion analysis inconclusive: {ended.Reason}", PauseKind.Inconclusive)
            : RollBack(state, now, Controller, $"post-promotion analysis {(ended.Phase == AnalysisPhase.Inconclusive ? "inconclusive" : "failed")}: {ended.Reason}");
    }

    /// <summary>A command that failed for a reason that may pass is tried again, unless it has failed for too long.</summary>
    private static ReleaseDecision Interrupted(ReleaseState state, StepInterrupted interrupted, DateTimeOffset now)
    {
        var since = state.Retry?.Since ?? now;
        if (interrupted.GiveUpAfter is { } limit && now - since >= limit)
        {
            var tries = (state.Retry?.Attempt ?? 0) + 1;
            return RollBack(state, now, Controller, $"step {state.Step} ({StepType(state)}) failed: {interrupted.Reason} (still so after {tries} tries in {(now - since).TotalSeconds:0} s)");
        }

        return Retrying(state, interrupted.Reason, interrupted.RetryAt, now);
    }

    private static ReleaseDecision Retrying(ReleaseState state, string reason, DateTimeOffset at, DateTimeOffset now)
    {
        var retry = state.Retry is { } last
            ? last with { Attempt = last.Attempt + 1, Reason = reason, At = at }
            : new StepRetry(state.Step, 1, reason, now, at);
        return new ReleaseDecision(state with { Retry = retry }, new WaitUntil(at));
    }

    private static ReleaseDecision Timer(ReleaseState state, DateTimeOffset now) => state switch
    {
        { Retry: null, PauseUntil: { } until, Phase: ReleasePhase.Progressing, Promotion: not null } when now >= until =>
            new ReleaseDecision(state with { PauseUntil = null, LastProgressAt = now }, Pending(state with { PauseUntil = null }, now)),
        { Retry: null, PauseUntil: { } until, Phase: ReleasePhase.Progressing } when now >= until => Complete(state with { PauseUntil = null }, now, Controller, "pause ended"),
        _ => new ReleaseDecision(state, Pending(state, now)),
    };

    private static ReleaseDecision Operate(ReleaseState state, OperatorInput op, DateTimeOffset now)
    {
        var pausedFor = state.Phase == ReleasePhase.Paused ? state.PausedFor : null;
        var promoting = state.CurrentStep is PromoteStep or null;
        switch (op.Action)
        {
            case OperatorAction.Pause:
                return state.Phase == ReleasePhase.Paused ? Refuse(state, now, "already paused") : Pause(state, now, op.Actor, $"paused by {op.Actor}", PauseKind.Operator);
            case OperatorAction.Resume when state.Phase != ReleasePhase.Paused:
                return Refuse(state, now, "not paused");
            case OperatorAction.Resume when pausedFor == PauseKind.OutsideWindow:
                return Refuse(state, now, "held outside its delivery window: it resumes when a window opens (promote finishes the step anyway)");
            case OperatorAction.Resume when pausedFor == PauseKind.Approval:
                return Refuse(state, now, "waiting for approval: approve or reject");
            case OperatorAction.Resume:
                // An operator's pause (or one for changed routes) returns to the step, which the pause stopped: it runs
                // again from its start, as after a crash. A pause that was the step itself (untimed, or an inconclusive
                // analysis) ends it. The event says which, and what the pause was.
                var again = pausedFor is PauseKind.Operator or PauseKind.RoutesChanged;
                var resumed = Log(Resumed(state, now), now, "resumed", op.Actor, ResumeReason(state, op.Actor, again));
                return again ? Enter(resumed, now) : Complete(resumed, now, op.Actor, "resumed");
            case OperatorAction.Abort:
                return RollBack(state, now, op.Actor, $"aborted by {op.Actor}", ReleasePhase.Aborted);
            case OperatorAction.Approve or OperatorAction.Promote when state is { CurrentStep: ApprovalStep { Group: true }, Group: { } group }:
                return Refuse(state, now, $"step {state.Step} is the group's approval: approve group release {group} (lightmesh release group approve {group})");
            case OperatorAction.Promote or OperatorAction.PromoteFull when state.Promotion == PromotionMove.PreviousKept:
                // The window is ended now, with what is left of the post-promotion analysis: the promotion goes on.
                var ended = Log(Resumed(state, now) with { PauseUntil = null, PostPromotionChecked = true }, now, "window ended", op.Actor, $"the rollback window ended early by {op.Actor}");
                return new ReleaseDecision(ended, new Promote(PromotionMove.PreviousKept));
            case OperatorAction.Rollback when state.Promotion == PromotionMove.PreviousKept:
                return RollBack(state, now, op.Actor, $"rolled back by {op.Actor} inside the rollback window");
            case OperatorAction.Rollback:
                return Refuse(state, now, state.Spec.KeepsPrevious
                    ? $"no rollback window is open: it opens once {state.Version} takes all the traffic at promotion; abort rolls back before that"
                    : $"workflow {state.Workflow} has no rollbackWindow or postPromotionAnalysis, so there is no window: abort rolls back");
            case OperatorAction.Promote or OperatorAction.PromoteFull when promoting:
                // The promotion is never skipped: promote starts it (or resumes it where it was paused) and lets it run to its end.
                return state.Phase == ReleasePhase.Progressing
                    ? Refuse(state, now, $"the release is promoting already ({state.Promotion ?? ReleaseMoves.FirstPromotion}); it ends Succeeded once every move is done")
                    : Enter(Log(Resumed(state, now), now, "resumed", op.Actor, $"promote by {op.Actor}"), now);
            case OperatorAction.Promote when state.CurrentStep is DeployStep or SetWeightStep or ReleaseRouteStep:
                return Refuse(state, now, $"step {state.Step} ({StepType(state)}) changes the mesh and cannot be skipped: resume it, or promote --full once the canary runs");
            case OperatorAction.Promote:
                return Complete(Resumed(state, now) with { PauseUntil = null }, now, op.Actor, $"step promoted by {op.Actor}");
            case OperatorAction.PromoteFull when PendingDeploy(state) is { } deploy:
                return Refuse(state, now, $"the canary is not deployed yet (step {deploy} deploy): promote --full once it runs");
            case OperatorAction.PromoteFull:
                var promote = state.Spec.Steps.Select((s, i) => (s, i)).FirstOrDefault(x => x.s is PromoteStep, (null!, state.Spec.Steps.Count)).Item2;
                var skipped = Log(Resumed(state, now) with { PauseUntil = null, Step = promote }, now, ReleaseEvents.PromotedFully, op.Actor, $"skipped to step {promote}");
                return Enter(skipped, now);
            case OperatorAction.Approve when state.CurrentStep is ApprovalStep:
                return Complete(Resumed(state, now), now, op.Actor, $"approved by {op.Actor}");
            case OperatorAction.Reject when state.CurrentStep is ApprovalStep:
                return RollBack(state, now, op.Actor, $"rejected by {op.Actor}");
            default:
                return Refuse(state, now, $"nothing to {op.Action.ToString().ToLowerInvariant()}: step {state.Step} is {state.CurrentStep?.Type ?? "the end"}");
        }
    }

    /// <summary>The current step is done: note its effect, move to the next step, and say what that needs.</summary>
    private static ReleaseDecision Complete(ReleaseState state, DateTimeOffset now, string actor, string reason)
    {
        var step = state.CurrentStep;
        var next = (step is ReleaseRouteStep route ? ReleaseTraffic.After(state, route) : state) with
        {
            Step = Math.Min(state.Step + 1, state.Spec.Steps.Count),
            CanaryWeight = step is SetWeightStep w ? w.Weight : state.CanaryWeight,
            PauseUntil = null,
            Retry = null,
            LastProgressAt = now,
        };
        return Enter(Log(next, now, ReleaseEvents.StepDone(step?.Type ?? "end"), actor, reason, state.Step), now);
    }

    /// <summary>What entering the current step asks of the engine.</summary>
    private static ReleaseDecision Enter(ReleaseState state, DateTimeOffset now)
    {
        switch (state.CurrentStep)
        {
            case PromoteStep or null when state.Promotion is null:
                // Recorded before the first move is made, so a rollback from here on knows a promotion may have begun.
                var promoting = Log(state with { Promotion = ReleaseMoves.FirstPromotion }, now, "promoting", Controller, $"{state.Version} becomes the stable version of {state.Service}");
                return new ReleaseDecision(promoting, new Promote(ReleaseMoves.FirstPromotion));
            case PauseStep { Duration: { } duration } when state.PauseUntil is null:
                var until = now + duration.Value;
                return new ReleaseDecision(Log(state with { PauseUntil = until }, now, "pausing", Controller, $"until {until:u}"), new WaitUntil(until));
            case PauseStep { Duration: null }:
                return Pause(state, now, Controller, "pause step: resume to continue", PauseKind.PauseStep);
            case ApprovalStep:
                return Pause(state, now, Controller, "waiting for approval", PauseKind.Approval);
            default:
                return new ReleaseDecision(state, Command(state));
        }
    }

    /// <summary>A move of the promotion is done: the next one is recorded as begun, or the release has succeeded.</summary>
    private static ReleaseDecision AfterMove(ReleaseState state, PromotionMove move, DateTimeOffset now)
    {
        if (move == PromotionMove.CanaryTakesAll && ReleaseMoves.PromotionWeight(state) is var stepWeight and < 100)
        {
            // A weight of a stepped promotion is in force: held for the interval, then the move goes on to the next.
            var until = state.CurrentStep is PromoteStep { Interval: { } interval } ? now + interval.Value : (DateTimeOffset?)null;
            var stepped = Log(state with { CanaryWeight = stepWeight, Retry = null, LastProgressAt = now, PauseUntil = until }, now, ReleaseEvents.PromotionStep, Controller, ReleaseEvents.CanaryAt(stepWeight));
            return new ReleaseDecision(stepped, until is { } at ? new WaitUntil(at) : new Promote(move));
        }

        var moved = state with { Retry = null, LastProgressAt = now };
        switch (ReleaseMoves.After(move, state.Spec))
        {
            case PromotionMove.PreviousKept:
                // The new version takes all the traffic; the old one runs on, for the post-promotion analysis and the window.
                var until = state.Spec.RollbackWindow is { } window ? now + window.Value : (DateTimeOffset?)null;
                var kept = Log(moved with { Promotion = PromotionMove.PreviousKept, PauseUntil = until, CanaryWeight = 100 }, now, ReleaseEvents.PreviousKept, Controller,
                    $"{state.Version} takes all the traffic; {state.StableVersion} keeps running{(until is { } end ? $" until {end:u}" : "")}: rollback moves the traffic back to it at once");
                return new ReleaseDecision(kept, Pending(kept, now));
            case { } next:
                return new ReleaseDecision(moved with { Promotion = next }, new Promote(next));
            default:
                return Finish(moved, ReleasePhase.Succeeded, now, Controller, "promoted");
        }
    }

    /// <summary>
    /// How a new release of the service ends <paramref name="state"/> when it supersedes it: a release holding its
    /// rollback window (its new version already takes all the traffic) is promoted, which ends the window; any other is
    /// aborted, and rolls back.
    /// </summary>
    public static OperatorAction SupersedeAction(ReleaseState state) =>
        state is { Promotion: PromotionMove.PreviousKept, RollingBack: null } ? OperatorAction.Promote : OperatorAction.Abort;

    /// <summary>
    /// The command the release needs at <paramref name="now"/>; asking again gives the same one, so re-running after a
    /// crash is harmless. A retry waits until its time, then the same command runs again.
    /// </summary>
    public static ReleaseCommand Pending(ReleaseState state, DateTimeOffset now) => state switch
    {
        { IsFinished: true } => new Finished(state.Phase),
        { Retry: { } retry } when retry.At > now => new WaitUntil(retry.At),
        { RollingBack: { } reason } => new RollBack(state.Rollback ?? ReleaseMoves.FirstRollback(state), reason),
        _ => Command(state),
    };

    private static ReleaseCommand Command(ReleaseState state) => state switch
    {
        { Phase: ReleasePhase.Paused } => new WaitForOperator(state.PausedBecause ?? "paused"),
        { RestoringRoutes: true, Promotion: null } => new RestoreRoutes(state.CanaryWeight),
        _ => StepCommand(state),
    };

    private static ReleaseCommand StepCommand(ReleaseState state) => state.CurrentStep switch
        {
            null or PromoteStep => state switch
            {
                { Promotion: PromotionMove.PreviousKept, PostPromotionChecked: false, Spec.PostPromotionAnalysis: { } post } => new RunAnalysis(post.Templates, post.Args),
                { PauseUntil: { } held } => new WaitUntil(held),
                _ => new Promote(state.Promotion ?? ReleaseMoves.FirstPromotion),
            },
            DeployStep d => new DeployCanary(d.Replicas ?? 1),
            SetWeightStep w => new SetCanaryWeight(w.Weight),
            ReleaseRouteStep r => new SetReleaseRoute(r),
            PauseStep => state.PauseUntil is { } until ? new WaitUntil(until) : new WaitForOperator("pause step: resume to continue"),
            AnalysisStep a => new RunAnalysis(a.Templates, a.Args),
            WebhookStep h => new CallWebhook(h),
            ApprovalStep => new WaitForOperator("waiting for approval"),
            _ => throw new InvalidOperationException($"unknown step {state.CurrentStep.Type}"),
        };

    private static ReleaseDecision Pause(ReleaseState state, DateTimeOffset now, string actor, string reason, PauseKind kind)
    {
        var paused = Log(state with { Phase = ReleasePhase.Paused, PausedBecause = reason, PausedFor = kind, Retry = null }, now, "paused", actor, reason);
        return new ReleaseDecision(paused, new WaitForOperator(reason));
    }

    /// <summary>Holds the release where it is; the progress deadline does not count while it is held.</summary>
    private static ReleaseDecision Hold(ReleaseState state, DateTimeOffset now, string reason)
    {
        var held = Log(state with { Phase = ReleasePhase.Paused, PausedBecause = OutsideWindow, PausedFor = PauseKind.OutsideWindow, Retry = null }, now, "held", Controller, $"{OutsideWindow}: {reason}");
        return new ReleaseDecision(held, new WaitForOperator(OutsideWindow));
    }

    /// <summary>What a resume does, for the event log: "resumed by alice; step 3 (analysis) runs again from its first measurement (was: paused by bob)".</summary>
    private static string ResumeReason(ReleaseState state, string actor, bool stepAgain)
    {
        var was = state.PausedBecause is { } because ? $" (was: {because})" : "";
        if (!stepAgain)
        {
            return $"resumed by {actor}; step {state.Step} ({StepType(state)}) ends{was}";
        }

        var again = state.CurrentStep is AnalysisStep ? "runs again from its first measurement" : "runs again";
        return $"resumed by {actor}; step {state.Step} ({StepType(state)}) {again}{was}";
    }

    private static ReleaseState Resumed(ReleaseState state, DateTimeOffset now) =>
        state with { Phase = ReleasePhase.Progressing, PausedBecause = null, PausedFor = null, LastProgressAt = now };

    private static ReleaseDecision RollBack(ReleaseState state, DateTimeOffset now, string actor, string reason, ReleasePhase ending = ReleasePhase.RolledBack)
    {
        var rolling = Log(state with
        {
            Phase = ReleasePhase.Progressing, PausedBecause = null, PausedFor = null, PauseUntil = null, Retry = null, RestoringRoutes = false,
            RollingBack = reason, EndingPhase = ending, Rollback = ReleaseMoves.FirstRollback(state),
        }, now, ReleaseEvents.RollingBack, actor, reason);
        return new ReleaseDecision(rolling, new RollBack(rolling.Rollback!.Value, reason));
    }

    private static ReleaseDecision Finish(ReleaseState state, ReleasePhase phase, DateTimeOffset now, string actor, string reason)
    {
        var finished = Log(state with { Phase = phase, PausedBecause = null, PausedFor = null, Retry = null, RestoringRoutes = false, CanaryWeight = 0, HeaderRoutes = [], MirrorRoutes = [] }, now, ReleaseEvents.Ending(phase), actor, reason);
        return new ReleaseDecision(finished, new Finished(phase));
    }

    private static ReleaseDecision Refuse(ReleaseState state, DateTimeOffset now, string why) => new(state, Pending(state, now), why);

    private static ReleaseDecision NotCurrent(ReleaseState state, DateTimeOffset now, int step) => Refuse(state, now, $"step {step} is not the current step {state.Step}");

    /// <summary>The index of a deploy step not yet done, if any: until it is, the canary does not run.</summary>
    private static int? PendingDeploy(ReleaseState state)
    {
        for (var i = state.Step; i < state.Spec.Steps.Count; i++)
        {
            if (state.Spec.Steps[i] is DeployStep)
            {
                return i;
            }
        }

        return null;
    }

    private static string StepType(ReleaseState state) => state.CurrentStep?.Type ?? "promote";

    private static ReleaseState Record(ReleaseState state, IReadOnlyList<AnalysisRecord>? metrics) =>
        metrics is null or [] ? state : state with { Analyses = [.. state.Analyses, .. metrics] };

    /// <summary>Adds a transition to the log, at <paramref name="step"/> (the step it concerns; the current one by default).</summary>
    private static ReleaseState Log(ReleaseState state, DateTimeOffset now, string action, string actor, string reason, int? step = null) =>
        state with { Events = [.. state.Events, new ReleaseEvent(now, step ?? state.Step, action, actor, reason)] };
}
