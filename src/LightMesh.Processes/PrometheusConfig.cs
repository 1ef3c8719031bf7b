using System.Globalization;
using System.Text.Json;

namespace LightMesh.Processes;

/// <summary>Writes the demo Prometheus's <c>prometheus.yml</c>: a pure function of its options and the token file's path.</summary>
public static class PrometheusConfig
{
    public const string DiscoveryJob = "lightmesh";
    public const string ControllerJob = "lightmesh-controller";

    /// <summary>The configuration's YAML; <paramref name="options"/> must pass <see cref="LocalPrometheusOptions.Check"/>.</summary>
    public static string Render(LocalPrometheusOptions options, string tokenFile)
    {
        var metrics = options.ControllerMetricsUrl;

        // Prometheus 2.42 sends the credentials without a type unless told Bearer. Strings are written as JSON
        // strings, which are YAML's double-quoted scalars, so no path or URL can break the document.
        return $"""
            # Written by lightmesh for its local demo.
            global:
              scrape_interval: {Duration(options.ScrapeInterval)}
              evaluation_interval: {Duration(options.EvaluationInterval)}

            scrape_configs:
              - job_name: {DiscoveryJob}
                http_sd_configs:
                  - url: {Quote(options.DiscoveryUrl.AbsoluteUri)}
                    refresh_interval: {Duration(options.DiscoveryRefreshInterval)}
                    authorization:
                      type: Bearer
                      credentials_file: {Quote(tokenFile)}

              - job_name: {ControllerJob}
                scheme: {metrics.Scheme}
                metrics_path: {Quote(metrics.AbsolutePath)}
                static_configs:
                  - targets: [{Quote(metrics.Authority)}]

            """;
    }

    /// <summary>A duration as Prometheus writes it: <c>1s</c>, <c>500ms</c>.</summary>
    public static string Duration(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerSecond == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalSeconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalMilliseconds}ms");

    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
