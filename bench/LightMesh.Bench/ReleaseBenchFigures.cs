namespace LightMesh.Bench;

/// <summary>What <c>lightmesh-bench releases</c> measured; a figure stays null when the run stopped before it.</summary>
internal sealed record ReleaseBenchFigures
{
    public required int Releases { get; init; }

    /// <summary>Ended releases written to etcd before the run.</summary>
    public int History { get; init; }

    /// <summary>Release keys in etcd after the run (the history, the warm-up release and the measured ones).</summary>
    public int? HistoryKept { get; init; }

    /// <summary>The API's first page of releases (50), read after the run.</summary>
    public LatencySummary ListPage { get; init; }
    public LatencySummary EtcdTxnIdle { get; init; }
    public LatencySummary EtcdTxnLoaded { get; init; }
    public LatencySummary DocumentRead { get; init; }
    public int Started { get; init; }
    public string? StartFailure { get; init; }
    public LatencySummary StartRequest { get; init; }
    public TimeSpan? Submitting { get; init; }
    public int Paused { get; init; }
    public int RolledBackBeforePause { get; init; }
    public string Phases { get; init; } = "";
    public TimeSpan? StartToAllPaused { get; init; }
    public LatencySummary Deploy { get; init; }
    public LatencySummary SetWeight { get; init; }
    public LatencySummary Transitions { get; init; }
    public double? ServerCpuCores { get; init; }

    /// <summary>How long after the warm-up the controller's JIT went quiet (or the wait's limit), when waited for.</summary>
    public TimeSpan? JitSettled { get; init; }
    public bool JitQuiet { get; init; }

    /// <summary>Seconds the controller's JIT spent between the first start and all at the pause.</summary>
    public double? JitDuringRun { get; init; }
    public MemoryReading? Idle { get; init; }
    public MemoryReading? AllPaused { get; init; }

    /// <summary><c>--then</c>: how many of the added releases reached their pause, and the memory once they had.</summary>
    public int AddedPaused { get; init; }
    public MemoryReading? MorePaused { get; init; }
    public TimeSpan? ResumeToAllFinished { get; init; }
    public int Succeeded { get; init; }
    public int RolledBackAfterResume { get; init; }
    public string FinalPhases { get; init; } = "";
    public int LogWarnings { get; init; }
    public int LogErrors { get; init; }
}
