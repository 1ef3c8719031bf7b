namespace LightMesh.Processes;

/// <summary>What the demo's Prometheus scrapes, and how often.</summary>
public sealed record LocalPrometheusOptions
{
    /// <summary>The controller's <c>/api/v1/sd/prometheus</c>: every live instance, scraped as job <c>lightmesh</c>.</summary>
    public required Uri DiscoveryUrl { get; init; }

    /// <summary>The bearer token the discovery URL takes (a viewer's); written to a file only this user may read.</summary>
    public required string DiscoveryToken { get; init; }

    /// <summary>How often discovery is asked again (Prometheus's default, 60 s, is far too slow for a demo).</summary>
    public required TimeSpan DiscoveryRefreshInterval { get; init; }

    /// <summary>The controller's own metrics (<c>http://127.0.0.1:8080/metrics</c>), scraped as job <c>lightmesh-controller</c>.</summary>
    public required Uri ControllerMetricsUrl { get; init; }

    public required TimeSpan ScrapeInterval { get; init; }

    public required TimeSpan EvaluationInterval { get; init; }

    /// <summary>
    /// The port on 127.0.0.1 to serve on; null picks a free one. The demo picks it first, because the controller it starts
    /// before Prometheus must be told where Prometheus will be.
    /// </summary>
    public int? Port { get; init; }

    /// <summary>Every problem with these options, each naming its property; empty when they can be used.</summary>
    public IReadOnlyList<string> Check()
    {
        List<string> errors = [];
        foreach (var (name, value) in new[]
        {
            (nameof(DiscoveryRefreshInterval), DiscoveryRefreshInterval), (nameof(ScrapeInterval), ScrapeInterval), (nameof(EvaluationInterval), EvaluationInterval),
        })
        {
            if (value < TimeSpan.FromMilliseconds(1) || value.Ticks % TimeSpan.TicksPerMillisecond != 0)
            {
                errors.Add($"{name}: {value} must be a positive whole number of milliseconds");
            }
        }

        foreach (var (name, url) in new[] { (nameof(DiscoveryUrl), DiscoveryUrl), (nameof(ControllerMetricsUrl), ControllerMetricsUrl) })
        {
            if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            {
                errors.Add($"{name}: \"{url}\" must be an absolute http:// or https:// URL");
            }
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"{nameof(Port)}: {Port} must be between 1 and 65535");
        }

        if (string.IsNullOrWhiteSpace(DiscoveryToken))
        {
            errors.Add($"{nameof(DiscoveryToken)}: must not be empty");
        }

        return errors;
    }
}
