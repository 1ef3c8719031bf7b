namespace LightMesh.Bench;

/// <summary>What <c>lightmesh-bench hooks</c> measured; a figure stays null when the run stopped before it.</summary>
internal sealed record HookBenchFigures
{
    public required BenchHooksCommand.Settings Settings { get; init; }
    public IReadOnlyList<HookAnswer> Answers { get; init; } = [];

    /// <summary>The warm-up's answers, sent one at a time before the run: what a delivery costs with nothing else going on.</summary>
    public IReadOnlyList<HookAnswer> WarmUp { get; init; } = [];
    public TimeSpan? SendWindow { get; init; }
    public TimeSpan? AnsweredWindow { get; init; }
    public double? ServerCpuCores { get; init; }

    /// <summary>How long after the warm-up the controller's JIT went quiet (or the wait's limit), when waited for.</summary>
    public TimeSpan? JitSettled { get; init; }
    public bool JitQuiet { get; init; }

    /// <summary>Seconds the controller's JIT spent while the run's deliveries were sent and answered.</summary>
    public double? JitDuringRun { get; init; }
    public MemoryReading? Idle { get; init; }
    public MemoryReading? Loaded { get; init; }
    public HookChecks? Checks { get; init; }

    /// <summary>From each release the run started to its first step done, by its event log.</summary>
    public LatencySummary? FirstStep { get; init; }

    /// <summary>The same for the first half of those releases by when they started, and for the second: a controller still compiling shows in the first.</summary>
    public LatencySummary? FirstStepEarlier { get; init; }
    public LatencySummary? FirstStepLater { get; init; }

    /// <summary>Releases the run started that had no step done, and had not ended, when the benchmark stopped waiting.</summary>
    public int? WithoutFirstStep { get; init; }
    public int LogWarnings { get; init; }
    public int LogErrors { get; init; }

    public int Count(AnswerKind outcome) => Answers.Count(a => a.Outcome == outcome);

    public int Count(DeliveryKind kind) => Answers.Count(a => a.Kind == kind);
}
