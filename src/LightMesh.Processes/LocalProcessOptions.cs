namespace LightMesh.Processes;

/// <summary>How to start a child process: what to run, with what, where its output goes and how it is stopped.</summary>
public sealed record LocalProcessOptions
{
    /// <summary>What the process is to a user ("etcd", "the controller"), in every message about it.</summary>
    public required string Name { get; init; }

    /// <summary>The program: a full path, or a name looked up on PATH.</summary>
    public required string Executable { get; init; }

    /// <summary>Its arguments, each passed as is (no shell).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Variables added to (or replacing those of) this process's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Which inherited variables to drop before <see cref="Environment"/> is added (those the program would read by mistake).</summary>
    public Func<string, bool>? DropInherited { get; init; }

    /// <summary>The file its standard output and error are written to, created or truncated; null keeps only <see cref="KeptLines"/>.</summary>
    public string? LogFile { get; init; }

    /// <summary>Whether each line in <see cref="LogFile"/> starts with the time it arrived (for servers whose console log has none).</summary>
    public bool TimestampLog { get; init; }

    /// <summary>How many of its last lines are kept for <see cref="LocalProcess.Tail"/> and error messages.</summary>
    public int KeptLines { get; init; } = 40;

    /// <summary>Called with every line it writes, from the thread that reads it.</summary>
    public Action<string>? OnLine { get; init; }

    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// How long it is given to exit after SIGTERM before it and its children are killed; zero kills at once (SIGKILL),
    /// as a crash would.
    /// </summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
