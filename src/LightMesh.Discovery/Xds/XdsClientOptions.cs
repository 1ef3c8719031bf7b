namespace LightMesh.Discovery.Xds;

/// <summary>Where the xDS bootstrap comes from, and the timings of the ADS stream.</summary>
public sealed class XdsClientOptions
{
    /// <summary>The environment variable naming the bootstrap file, as every gRPC xDS client reads it.</summary>
    public const string BootstrapFileVariable = "GRPC_XDS_BOOTSTRAP";

    /// <summary>The environment variable holding the bootstrap JSON itself.</summary>
    public const string BootstrapConfigVariable = "GRPC_XDS_BOOTSTRAP_CONFIG";

    /// <summary>The bootstrap JSON; unset: <see cref="BootstrapPath"/>.</summary>
    public string? Bootstrap { get; set; }

    /// <summary>The bootstrap file; unset: <c>GRPC_XDS_BOOTSTRAP</c>, then the JSON in <c>GRPC_XDS_BOOTSTRAP_CONFIG</c>.</summary>
    public string? BootstrapPath { get; set; }

    /// <summary>A subscribed resource the control plane has not sent within this time does not exist (gRPC's 15 s).</summary>
    public TimeSpan ResourceTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long opening a connection to the control plane may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long sending one request on the stream may take before the stream is given up and opened again.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An idle stream is pinged this often, so that a control plane that vanished is noticed.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A ping not answered within this time ends the stream.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first wait before opening the stream again; it grows by 1.6 (with jitter) up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan InitialReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Every problem with these options, each naming its option.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (name, value) in new[]
                 {
                     (nameof(ResourceTimeout), ResourceTimeout), (nameof(ConnectTimeout), ConnectTimeout), (nameof(RequestTimeout), RequestTimeout),
                     (nameof(KeepAliveInterval), KeepAliveInterval), (nameof(KeepAliveTimeout), KeepAliveTimeout),
                     (nameof(InitialReconnectDelay), InitialReconnectDelay), (nameof(MaxReconnectDelay), MaxReconnectDelay),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{name}: {value} must be positive");
            }
        }

        if (InitialReconnectDelay > MaxReconnectDelay)
        {
            errors.Add($"{nameof(InitialReconnectDelay)}: {InitialReconnectDelay} is more than {nameof(MaxReconnectDelay)} {MaxReconnectDelay}");
        }

        return errors;
    }

    /// <summary>The bootstrap JSON these options and the environment point at, or why there is none.</summary>
    public (string? Json, string Source, string? Problem) ReadBootstrap(Func<string, string?> variable)
    {
        if (Bootstrap is { Length: > 0 } json)
        {
            return (json, $"{nameof(XdsClientOptions)}.{nameof(Bootstrap)}", null);
        }

        var path = BootstrapPath is { Length: > 0 } p ? p : variable(BootstrapFileVariable);
        if (path is { Length: > 0 })
        {
            try
            {
                return (File.ReadAllText(path), path, null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, path, $"cannot read {path}: {e.Message}");
            }
        }

        return variable(BootstrapConfigVariable) is { Length: > 0 } config
            ? (config, BootstrapConfigVariable, null)
            : (null, "", $"no xDS bootstrap: set {BootstrapFileVariable} (a file) or {BootstrapConfigVariable} (the JSON), or {nameof(XdsClientOptions)}.{nameof(BootstrapPath)}");
    }
}
