using System.Net;

namespace LightMesh.ControlPlane.Hosting;

/// <summary>Where the control plane listens and how it batches changes.</summary>
public sealed class XdsServerOptions
{
    public const string Section = "Xds";

    /// <summary>The ADS (gRPC, HTTP/2 without TLS) endpoint, IP:PORT.</summary>
    public string Listen { get; set; } = "127.0.0.1:18000";

    /// <summary>The admin endpoint (HTTP/1.1: <c>/status</c>, <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>), IP:PORT.</summary>
    public string Admin { get; set; } = "127.0.0.1:18001";

    /// <summary>
    /// The least time between two pushes: a change this long or more after the last push goes out at once, a sooner one
    /// waits for the rest of it, gathered with the others that come meanwhile.
    /// </summary>
    public TimeSpan DebounceQuiet { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Serve streams that show no proxy token, or one no Node names. For trying LightMesh on one machine; logged as a
    /// warning when the control plane starts.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>
    /// This control plane's name among the controllers on one etcd: its report of its proxies is
    /// <c>controlplanes/{Name}</c>. Each controller needs its own.
    /// </summary>
    public string Name { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// The lease its report is held under: this long after the control plane stops renewing it (it died, froze, or lost
    /// etcd), the report is gone and the others count its proxies as unknown.
    /// </summary>
    public TimeSpan ReportTtl { get; set; } = TimeSpan.FromSeconds(10);

    public IPEndPoint ListenEndpoint => IPEndPoint.Parse(Listen);
    public IPEndPoint AdminEndpoint => IPEndPoint.Parse(Admin);

    /// <summary>Every problem with these options, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (key, value) in new[] { ("Listen", Listen), ("Admin", Admin) })
        {
            if (!IPEndPoint.TryParse(value, out var endpoint) || endpoint.Port == 0)
            {
                errors.Add($"{Section}:{key}: \"{value}\" must be IP:PORT");
            }
        }

        if (errors.Count == 0 && ListenEndpoint.Equals(AdminEndpoint))
        {
            errors.Add($"{Section}:Admin: must differ from {Section}:Listen");
        }

        if (DebounceQuiet <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:DebounceQuiet: must be positive");
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Contains('/', StringComparison.Ordinal))
        {
            errors.Add($"{Section}:Name: \"{Name}\" must be a name without '/'");
        }

        if (ReportTtl < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Section}:ReportTtl: must be at least 1s");
        }

        return errors;
    }
}
