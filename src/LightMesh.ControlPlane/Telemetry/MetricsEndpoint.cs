using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace LightMesh.ControlPlane.Telemetry;

/// <summary>
/// A controller's <c>/metrics</c>: LightMesh's own metrics, prometheus-net's process metrics, and two .NET meters: the
/// runtime's (collections, heap, JIT, thread pool, lock contention; <c>system_runtime_dotnet_*</c>) and ASP.NET Core's
/// HTTP requests (<c>microsoft_aspnetcore_hosting_*</c>: the API's and the webhooks' durations).
/// </summary>
/// <remarks>
/// Not the other .NET meters, nor the runtime's event counters, which prometheus-net would otherwise publish too
/// (about 150 series more, most of them about transports a controller does not use). Once something listens to it,
/// ASP.NET Core's memory pool meter records every buffer Kestrel rents and returns, and a push to every proxy rents
/// one per stream (docs/benchmarks.md, "What a controller's /metrics costs a push").
/// </remarks>
public static class MetricsEndpoint
{
    /// <summary>The .NET meters published.</summary>
    public static readonly IReadOnlySet<string> Meters = new HashSet<string>(["System.Runtime", "Microsoft.AspNetCore.Hosting"], StringComparer.Ordinal);

    /// <summary>Serves the metrics at <paramref name="path"/>, published as described above.</summary>
    public static IEndpointConventionBuilder MapLightMeshMetrics(this IEndpointRouteBuilder endpoints, string path)
    {
        // prometheus-net applies these at the first scrape; every server in a process sets the same.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true });
        Metrics.ConfigureMeterAdapter(adapter => adapter.InstrumentFilterPredicate = instrument => Meters.Contains(instrument.Meter.Name));
        return endpoints.MapMetrics(path);
    }
}
