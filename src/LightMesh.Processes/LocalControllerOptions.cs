namespace LightMesh.Processes;

/// <summary>How to start <c>lightmesh server</c> as a child process: its etcd, name, ports, flags and how it counts as ready.</summary>
public sealed record LocalControllerOptions
{
    /// <summary>The etcd endpoints, for <c>--etcd</c>.</summary>
    public required string Etcd { get; init; }

    /// <summary>For <c>--prefix</c>; null leaves the server's default.</summary>
    public string? Prefix { get; init; }

    /// <summary>For <c>--name</c>: the controller's name among the others (leader election, proxy reports).</summary>
    public required string Name { get; init; }

    /// <summary>Where its HTTP API listens; null picks a free port on 127.0.0.1.</summary>
    public Uri? Api { get; init; }

    /// <summary>The port of its xDS endpoint on 127.0.0.1; null picks a free one.</summary>
    public int? XdsPort { get; init; }

    /// <summary>More flags, after the ones above.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>Configuration through the environment (<c>LightMesh__Hooks__Generic__Secret</c>), as <see cref="ControllerTokens"/> writes it.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>When it counts as started: when it answers (<c>/healthz</c>), or only once it leads the release engine.</summary>
    public ControllerReadiness Ready { get; init; } = ControllerReadiness.Answers;

    /// <summary>A token it accepts, to ask whether it leads (<see cref="ControllerReadiness.Leads"/>).</summary>
    public string? Token { get; init; }

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public string? LogFile { get; init; }

    /// <summary>The server's console log has no times; a benchmark's log file gets the time each line arrived.</summary>
    public bool TimestampLog { get; init; }

    public int KeptLines { get; init; } = 400;

    /// <summary>Zero (the default) kills it on dispose, as a crash would; else SIGTERM first, then this long to exit.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.Zero;
}

/// <summary>When a started controller counts as ready.</summary>
public enum ControllerReadiness
{
    /// <summary>It answers <c>/healthz</c>, leader or not.</summary>
    Answers,

    /// <summary>It leads the release engine (asked with a token at <c>/api/v1/controller</c>).</summary>
    Leads,
}
