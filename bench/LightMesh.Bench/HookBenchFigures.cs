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
    public MemoryReading? Idle { get; init; }
    public MemoryReading? Loaded { get; init; }
    public HookChecks? Checks { get; init; }
    public int LogWarnings { get; init; }
    public int LogErrors { get; init; }

    public int Count(AnswerKind outcome) => Answers.Count(a => a.Outcome == outcome);

    public int Count(DeliveryKind kind) => Answers.Count(a => a.Kind == kind);
}
