using LightMesh.Testing;

namespace LightMesh.Analysis.Tests;

/// <summary>
/// One Prometheus for the collection, backfilled with every series the tests ask about, ending a minute before
/// the fixture started. Tests run their analyses on a fake clock set inside that history.
/// </summary>
public sealed class PrometheusFixture : IAsyncLifetime
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    private PrometheusServer? _server;

    /// <summary>The last sample's time; series cover the 40 minutes before it.</summary>
    public DateTimeOffset End { get; } = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60 - 60);

    public PrometheusServer Server => _server ?? throw new InvalidOperationException("prometheus is not started");

    public async Task InitializeAsync()
    {
        var times = OpenMetrics.Times(End - TimeSpan.FromMinutes(40), End, Step).ToList();
        var metrics = new OpenMetrics();

        // checkout v1 (stable) and v2 (healthy canary): 100 requests a step, 1 error. v3: 20 errors a step. v4: no traffic.
        foreach (var (version, errors) in new[] { ("v1", 1), ("v2", 1), ("v3", 20) })
        {
            metrics.Counter("http_requests", $"service=\"checkout\",version=\"{version}\",code=\"200\"", times, _ => 100 - errors);
            metrics.Counter("http_requests", $"service=\"checkout\",version=\"{version}\",code=\"500\"", times, _ => errors);
        }

        metrics.Counter("http_requests", "service=\"checkout\",version=\"v4\",code=\"200\"", times, _ => 0);

        // Latency: v2 answers in 40 ms, v3 in 800 ms.
        double[] bounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5];
        metrics.Histogram("http_request_duration_seconds", "service=\"checkout\",version=\"v2\"", bounds, times, 100, _ => 0.04);
        metrics.Histogram("http_request_duration_seconds", "service=\"checkout\",version=\"v3\"", bounds, times, 100, _ => 0.8);

        // Envoy's cluster statistics for the canary subset clusters of checkout (1% 5xx), payments (30% 5xx) and orders
        // (no 5xx yet, so no class-5 series at all). Envoy exports these counters without OpenMetrics' _total suffix, so
        // they are written as gauges holding running totals; the class is a label of upstream_rq_xx.
        foreach (var (service, errors) in new[] { ("checkout", 1), ("payments", 30), ("orders", 0) })
        {
            var cluster = $"envoy_cluster_name=\"outbound|8080|canary|{service}\"";
            metrics.Gauge("envoy_cluster_upstream_rq_xx", $"{cluster},envoy_response_code_class=\"2\"", times, i => (100 - errors) * (i + 1));
            if (errors > 0)
            {
                metrics.Gauge("envoy_cluster_upstream_rq_xx", $"{cluster},envoy_response_code_class=\"5\"", times, i => errors * (i + 1));
            }
        }

        // For the judge: stable and canary latency samples with the same spread, and a canary 60% slower.
        metrics.Gauge("judge_latency_seconds", "version=\"stable\"", times, i => 0.2 + (0.02 * Math.Sin(i * 1.7)));
        metrics.Gauge("judge_latency_seconds", "version=\"same\"", times, i => 0.2 + (0.02 * Math.Sin((i * 1.7) + 0.9)));
        metrics.Gauge("judge_latency_seconds", "version=\"slow\"", times, i => 0.32 + (0.02 * Math.Sin(i * 1.3)));
        _server = await PrometheusServer.StartAsync(metrics.ToString());
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
