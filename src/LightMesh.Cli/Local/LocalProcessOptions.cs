namespace LightMesh.Cli.Local;

/// <summary>How to start one of the demo's child processes: what to run, with what, and where its output goes.</summary>
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

    /// <summary>The file its standard output and error are written to, created or truncated.</summary>
    public required string LogFile { get; init; }

    public string? WorkingDirectory { get; init; }

    /// <summary>How long it is given to exit after SIGTERM before it and its children are killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
