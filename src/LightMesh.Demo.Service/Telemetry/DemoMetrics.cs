using Prometheus;

namespace LightMesh.Demo.Service.Telemetry;

/// <summary>
/// The demo's Prometheus metrics. <c>code</c> is the gRPC status name for gRPC calls (<c>OK</c>, <c>Unavailable</c>)
/// and the HTTP status for HTTP requests (<c>200</c>, <c>500</c>).
/// </summary>
internal static class DemoMetrics
{
    public static readonly Counter Requests = Metrics.CreateCounter(
        "demo_requests_total", "Requests answered, by method, code and version.", "method", "code", "version");

    public static readonly Histogram Duration = Metrics.CreateHistogram(
        "demo_request_duration_seconds", "Time to answer a request, injected latency included, by method and version.",
        new HistogramConfiguration { LabelNames = ["method", "version"], Buckets = [.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5] });

    public static void Observe(string method, string code, string version, TimeSpan elapsed)
    {
        Requests.WithLabels(method, code, version).Inc();
        Duration.WithLabels(method, version).Observe(elapsed.TotalSeconds);
    }
}
