namespace LightMesh.Core.Releases;

/// <summary>What happened to a release: a command's result, a timer, an operator, or the background analysis.</summary>
public abstract record ReleaseInput;

/// <summary>The command for <see cref="Step"/> completed (deploy, setWeight, a passing webhook, promote).</summary>
public sealed record StepSucceeded(int Step) : ReleaseInput;

/// <summary>The command for <see cref="Step"/> failed; the release rolls back.</summary>
public sealed record StepFailed(int Step, string Reason) : ReleaseInput;

/// <summary>The analysis of <see cref="Step"/> ended; <see cref="Metrics"/> are kept in the release's record.</summary>
public sealed record AnalysisEnded(int Step, Analysis.AnalysisPhase Phase, string Reason, IReadOnlyList<AnalysisRecord>? Metrics = null) : ReleaseInput;

public sealed record TimerFired : ReleaseInput;

/// <summary>The background analysis failed: the release aborts at once.</summary>
public sealed record BackgroundAnalysisFailed(string Reason, IReadOnlyList<AnalysisRecord>? Metrics = null) : ReleaseInput;

/// <summary>The delivery windows do not let the release advance now (<see cref="Reason"/> says which and until when): it holds.</summary>
public sealed record WindowClosed(string Reason) : ReleaseInput;

/// <summary>A release held outside its delivery window may advance again.</summary>
public sealed record WindowOpened(string Reason) : ReleaseInput;

/// <summary>The rollback finished: stable 100%, canary gone.</summary>
public sealed record RollbackCompleted : ReleaseInput;

/// <summary>What an operator can do to a release.</summary>
public enum OperatorAction
{
    Pause,
    Resume,
    Abort,

    /// <summary>Finish the current step now.</summary>
    Promote,

    /// <summary>Skip to promotion.</summary>
    PromoteFull,
    Approve,
    Reject,
}

public sealed record OperatorInput(OperatorAction Action, string Actor) : ReleaseInput;
