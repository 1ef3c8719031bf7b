namespace LightMesh.Core.Releases;

/// <summary>What happened to a release: a command's result, a timer, an operator, or the background analysis.</summary>
public abstract record ReleaseInput;

/// <summary>The command for <see cref="Step"/> completed (deploy, setWeight, a passing webhook, promote).</summary>
public sealed record StepSucceeded(int Step) : ReleaseInput;

/// <summary>The command for <see cref="Step"/> failed; the release rolls back.</summary>
public sealed record StepFailed(int Step, string Reason) : ReleaseInput;

/// <summary>
/// The command for <see cref="Step"/> could not be carried out for a reason that may pass (a server unreachable, a node
/// busy): it is tried again at <see cref="RetryAt"/>, unless it has been failing for <see cref="GiveUpAfter"/> already,
/// when the step fails. A rollback is never given up.
/// </summary>
public sealed record StepInterrupted(int Step, string Reason, DateTimeOffset RetryAt, TimeSpan? GiveUpAfter = null) : ReleaseInput;

/// <summary>The promotion's move <see cref="Move"/> is done.</summary>
public sealed record PromotionMoved(int Step, PromotionMove Move) : ReleaseInput;

/// <summary>The analysis of <see cref="Step"/> ended; <see cref="Metrics"/> are kept in the release's record.</summary>
public sealed record AnalysisEnded(int Step, Analysis.AnalysisPhase Phase, string Reason, IReadOnlyList<AnalysisRecord>? Metrics = null) : ReleaseInput;

public sealed record TimerFired : ReleaseInput;

/// <summary>The background analysis failed: the release aborts at once. <see cref="Group"/>: it was the group's analysis (<see cref="ReleaseState.GroupAnalysis"/>).</summary>
public sealed record BackgroundAnalysisFailed(string Reason, IReadOnlyList<AnalysisRecord>? Metrics = null, bool Group = false) : ReleaseInput;

/// <summary>The delivery windows do not let the release advance now (<see cref="Reason"/> says which and until when): it holds.</summary>
public sealed record WindowClosed(string Reason) : ReleaseInput;

/// <summary>A release held outside its delivery window may advance again.</summary>
public sealed record WindowOpened(string Reason) : ReleaseInput;

/// <summary>The rollback's move <see cref="Move"/> is done; after the last, the old version is stable with all traffic and the canary is gone.</summary>
public sealed record RollbackMoved(RollbackMove Move) : ReleaseInput;

/// <summary>
/// Someone (<see cref="Actor"/>) forced a change of the routes the release manages (<see cref="Change"/> says which): the
/// release pauses, so it neither fights the change nor goes on judging traffic it no longer shapes.
/// </summary>
public sealed record RoutesChanged(string Actor, string Change) : ReleaseInput;

/// <summary>The release's routes are its own again (see <see cref="RestoreRoutes"/>).</summary>
public sealed record RoutesRestored : ReleaseInput;

/// <summary>What an operator can do to a release.</summary>
public enum OperatorAction
{
    Pause,
    Resume,
    Abort,

    /// <summary>Finish the current step now (a pause, analysis, webhook or approval); on the promote step, start or resume the promotion.</summary>
    Promote,

    /// <summary>Skip to promotion, once the canary is deployed.</summary>
    PromoteFull,
    Approve,
    Reject,

    /// <summary>Inside the rollback window (<see cref="PromotionMove.PreviousKept"/>): all traffic back to the old version at once, which still runs.</summary>
    Rollback,
}

public sealed record OperatorInput(OperatorAction Action, string Actor) : ReleaseInput;

/// <summary>
/// The release's group was approved by <see cref="Actor"/>: the approval step the release waits at ends, whether it is
/// the group's (<see cref="ApprovalStep.Group"/>) or its own.
/// </summary>
public sealed record GroupApproved(string Actor) : ReleaseInput;
