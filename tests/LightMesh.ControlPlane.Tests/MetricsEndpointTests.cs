using LightMesh.ControlPlane.Telemetry;
using LightMesh.Testing;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// A controller's <c>/metrics</c> publishes its own metrics, the process's, the runtime's meter and ASP.NET Core's HTTP
/// requests, and no other .NET meter nor event counter: listening to ASP.NET Core's memory pool meter alone costs a call
/// for every buffer a push rents.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class MetricsEndpointTests(EtcdFixture etcd)
{
    [Fact]
    public async Task Metrics_AfterAPushToAProxy_HoldTheRuntimeAndHttpMetersAndTheProcess_AndNoOtherMeterOrEventCounter()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await harness.RegisterAsync("checkout", "v1", 9121);
        await Poll.UntilAsync(() => Task.FromResult(harness.Server.Registry.Current), s => s.Endpoints.Count > 0, TimeSpan.FromSeconds(10), "the instance in a snapshot");
        await using var client = new AdsTestClient(harness.XdsPort, "grpc-metrics");
        await client.SubscribeLikeGrpcAsync("checkout:8080", "8080", "outbound|8080|v1|checkout");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var uri = new Uri($"http://{harness.Server.Options.Admin}/metrics");

        // The meter adapter starts at the first scrape; the requests it sees are counted from the next one.
        var series = await Poll.UntilAsync(
            async () => (await http.GetStringAsync(uri)).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('{', ' ')[0]).ToHashSet(StringComparer.Ordinal),
            s => s.Contains("system_runtime_dotnet_gc_last_collection_heap_size") && s.Contains("microsoft_aspnetcore_hosting_http_server_request_duration_bucket"),
            TimeSpan.FromSeconds(10),
            "the meters' series");

        Assert.Contains("lightmesh_xds_pushes_total", series);
        Assert.Contains("process_num_threads", series);
        Assert.Contains("system_runtime_dotnet_gc_last_collection_heap_size", series);
        Assert.Contains("microsoft_aspnetcore_hosting_http_server_request_duration_bucket", series);
        var others = series.Where(name => !name.StartsWith("lightmesh_", StringComparison.Ordinal)
            && !name.StartsWith("process_", StringComparison.Ordinal)
            && !name.StartsWith("dotnet_", StringComparison.Ordinal)
            && !name.StartsWith("prometheus_net_", StringComparison.Ordinal)
            && !name.StartsWith("system_runtime_dotnet_", StringComparison.Ordinal)
            && !name.StartsWith("microsoft_aspnetcore_hosting_", StringComparison.Ordinal)).ToList();
        Assert.True(others.Count == 0, $"published beside the {string.Join(" and ", MetricsEndpoint.Meters)} meters: {string.Join(", ", others)}");
    }
}
