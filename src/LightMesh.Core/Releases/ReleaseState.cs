namespace LightMesh.Core.Releases;

/// <summary>Where a release stands.</summary>
public enum ReleasePhase
{
    Progressing,
    Paused,
    Succeeded,
    RolledBack,
    Aborted,
    Failed,
}

/// <summary>One transition of a release, for its ordered log: when, at which step, what, by whom, and why.</summary>
public sealed record ReleaseEvent(DateTimeOffset At, int Step, string Action, string Actor, string Reason);

/// <summary>
/// A release's whole state: the workflow it follows (copied at start, so editing the document does not change a
/// running release), the step it is on, the canary's weight, why it waits, and every transition so far.
/// </summary>
public sealed record ReleaseState
{
    public required string Id { get; init; }
    public required string Service { get; init; }
    public required string Version { get; init; }
    public required string StableVersion { get; init; }
    public required string Workflow { get; init; }
    public required ReleaseWorkflowSpec Spec { get; init; }
    public ReleasePhase Phase { get; init; } = ReleasePhase.Progressing;

    /// <summary>The step being carried out; equal to the step count once every step is done.</summary>
    public int Step { get; init; }

    public int CanaryWeight { get; init; }

    /// <summary>The header routes the release's steps have set and not removed, in the order they were set; none once it ends.</summary>
    public IReadOnlyList<SetHeaderRouteStep> HeaderRoutes { get; init; } = [];

    /// <summary>The mirror routes the release's steps have set and not removed, in the order they were set; none once it ends.</summary>
    public IReadOnlyList<SetMirrorRouteStep> MirrorRoutes { get; init; } = [];

    /// <summary>A timed pause ends here; kept, so a restarted controller resumes the same pause.</summary>
    public DateTimeOffset? PauseUntil { get; init; }

    /// <summary>Why the release is paused, in words: an operator, an untimed pause step, an approval, an inconclusive analysis.</summary>
    public string? PausedBecause { get; init; }

    /// <summary>What kind of pause it is, which decides what resuming does; null while not paused.</summary>
    public PauseKind? PausedFor { get; init; }

    /// <summary>The promotion's move begun last (the ones before it are done); null until the promotion begins.</summary>
    public PromotionMove? Promotion { get; init; }

    /// <summary>The workflow's <c>postPromotionAnalysis</c> has passed (or an operator ended the rollback window early).</summary>
    public bool PostPromotionChecked { get; init; }

    /// <summary>The rollback's move begun last (the ones before it are done); null unless rolling back.</summary>
    public RollbackMove? Rollback { get; init; }

    /// <summary>Someone else wrote the routes the release manages: once it goes on, it restores them before anything else.</summary>
    public bool RestoringRoutes { get; init; }

    /// <summary>The current command failed for a reason that may pass and waits to be tried again; null otherwise.</summary>
    public StepRetry? Retry { get; init; }

    /// <summary>
    /// The metrics of the running analysis step that could not be measured and are measured again, for the status to show
    /// before the run ends; empty otherwise. Saved while the step runs; whatever the decider decides next clears it.
    /// </summary>
    public IReadOnlyList<UnmeasuredMetric> Unmeasured { get; init; } = [];

    /// <summary>Set once a rollback has started: why. The release ends in <see cref="EndingPhase"/> when it completes.</summary>
    public string? RollingBack { get; init; }

    public ReleasePhase? EndingPhase { get; init; }

    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset LastProgressAt { get; init; }
    public IReadOnlyList<ReleaseEvent> Events { get; init; } = [];

    /// <summary>Every analysis metric run so far, step and background alike; as stored, without measurements (<see cref="AnalysisRecord.ToSummary"/>).</summary>
    public IReadOnlyList<AnalysisRecord> Analyses { get; init; } = [];

    /// <summary>Who or what started the release (a user, a CI pipeline, a schedule).</summary>
    public string StartedBy { get; init; } = "";

    /// <summary>Arguments given at start for the workflow's analyses; they override a step's own.</summary>
    public IReadOnlyDictionary<string, string> Args { get; init; } = new Dictionary<string, string>();

    /// <summary>The release this one started again (<c>retry</c>), if any.</summary>
    public string? RetryOf { get; init; }

    /// <summary>The group release this one is a member of (or undoes a member of), if any.</summary>
    public string? Group { get; init; }

    /// <summary>
    /// The group's analysis (its <c>spec.analysis</c>), run for this member from its start to its end beside its steps,
    /// as a background analysis is: its failure aborts the member, which rolls the group back.
    /// </summary>
    public BackgroundAnalysis? GroupAnalysis { get; init; }

    /// <summary>True when the delivery windows hold the release (paused until one opens).</summary>
    public bool IsHeld => Phase == ReleasePhase.Paused && PausedFor == PauseKind.OutsideWindow;

    public bool IsFinished => Phase is ReleasePhase.Succeeded or ReleasePhase.RolledBack or ReleasePhase.Aborted or ReleasePhase.Failed;

    public ReleaseStep? CurrentStep => Step < Spec.Steps.Count ? Spec.Steps[Step] : null;
}
