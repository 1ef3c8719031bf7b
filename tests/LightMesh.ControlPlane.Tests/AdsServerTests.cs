using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using LightMesh.Testing;
using LightMesh.Xds.Translation;

namespace LightMesh.ControlPlane.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class AdsServerTests(EtcdFixture etcd)
{
    private const string V1 = "outbound|8080|v1|checkout";
    private const string V2 = "outbound|8080|v2|checkout";

    [Fact]
    public async Task Stream_GrpcStyleSubscription_GetsResourcesFromEtcd()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await harness.RegisterAsync("checkout", "v1", 9101);
        await harness.RegisterAsync("checkout", "v2", 9102);
        await using var client = new AdsTestClient(harness.XdsPort, "grpc-1");
        await WaitForEndpointsAsync(harness, 2);

        var got = await client.SubscribeLikeGrpcAsync("checkout:8080", "8080", V1, V2);

        var routes = got[TypeUrls.Route].Resources.Single().Unpack<RouteConfiguration>();
        Assert.Equal([90u, 10u], routes.VirtualHosts.Single(h => h.Name == "checkout:8080").Routes[1].Route_.WeightedClusters.Clusters.Select(c => c.Weight ?? 0));
        var endpoints = got[TypeUrls.Endpoint].Resources.Select(r => r.Unpack<ClusterLoadAssignment>()).ToDictionary(a => a.ClusterName);
        Assert.Equal(9101u, endpoints[V1].Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress.PortValue);
        Assert.Equal(9102u, endpoints[V2].Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress.PortValue);
    }

    [Fact]
    public async Task SetWeights_PushesOnlyTheRouteToProxiesThatUseIt_AndConvergenceWaitReturnsAfterTheAck()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await harness.RegisterAsync("checkout", "v1", 9111);
        await harness.RegisterAsync("checkout", "v2", 9112);
        await harness.RegisterAsync("payments", "v1", 9113);
        await WaitForEndpointsAsync(harness, 3);
        await using var checkout = new AdsTestClient(harness.XdsPort, "grpc-checkout");
        await using var payments = new AdsTestClient(harness.XdsPort, "grpc-payments");
        await checkout.SubscribeLikeGrpcAsync("checkout:8080", "8080", V1, V2);
        await payments.SubscribeLikeGrpcAsync("payments:9090", "9090", "outbound|9090||payments");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metricsUri = new Uri($"http://{harness.Server.Options.Admin}/metrics");
        var routePushesBefore = RoutePushes(await http.GetStringAsync(metricsUri));

        var revision = await harness.SetWeightsAsync(50, 50);
        var push = await checkout.ReceiveAsync();
        Assert.Equal(TypeUrls.Route, push.TypeUrl);
        Assert.True(long.Parse(push.VersionInfo, System.Globalization.CultureInfo.InvariantCulture) >= revision);
        var waiting = harness.Server.Mesh.WaitForConvergenceAsync(revision, "checkout", TimeSpan.FromSeconds(10), default);
        Assert.False(waiting.IsCompleted);
        await checkout.AckAsync(push, "8080");

        var result = await waiting;

        Assert.True(result.Converged);
        Assert.Equal(1, result.Proxies);
        Assert.True(await payments.QuietForAsync(TimeSpan.FromMilliseconds(500)), "payments' proxy got a push for a change that is not its own");

        // The push is counted once its write returned, which may be after the client has it; the counter is shared by
        // every control plane in this process, so it is known to have risen, not by how much.
        var metrics = await Poll.UntilAsync(() => http.GetStringAsync(metricsUri), m => RoutePushes(m) > routePushesBefore, TimeSpan.FromSeconds(5), "the route push counted");
        Assert.Contains("lightmesh_xds_convergence_seconds_bucket", metrics, StringComparison.Ordinal);
    }

    private static double RoutePushes(string metrics)
    {
        const string series = "lightmesh_xds_pushes_total{type=\"rds\"} ";
        var line = metrics.Split('\n').Single(l => l.StartsWith(series, StringComparison.Ordinal));
        return double.Parse(line[series.Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task WaitForConvergence_ProxyNeverAcks_TimesOutNamingIt()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await harness.RegisterAsync("checkout", "v1", 9121);
        await harness.RegisterAsync("checkout", "v2", 9122);
        await WaitForEndpointsAsync(harness, 2);
        await using var client = new AdsTestClient(harness.XdsPort, "slow-proxy");
        await client.SubscribeLikeGrpcAsync("checkout:8080", "8080", V1, V2);

        var revision = await harness.SetWeightsAsync(0, 100);
        var result = await harness.Server.Mesh.WaitForConvergenceAsync(revision, "checkout", TimeSpan.FromMilliseconds(800), default);

        Assert.False(result.Converged);
        Assert.Equal("slow-proxy", Assert.Single(result.Lagging).NodeId);
        var status = Assert.Single(harness.Server.Registry.Status());
        Assert.True(status.Types.Single(t => t.Type == "rds").AwaitingReply);
    }

    [Fact]
    public async Task Nack_IsKeptInStatusAndTheSameVersionIsNotResent()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await harness.RegisterAsync("checkout", "v1", 9131);
        await harness.RegisterAsync("checkout", "v2", 9132);
        await WaitForEndpointsAsync(harness, 2);
        await using var client = new AdsTestClient(harness.XdsPort, "picky-proxy");
        await client.SubscribeLikeGrpcAsync("checkout:8080", "8080", V1, V2);

        await harness.SetWeightsAsync(70, 30);
        var push = await client.ReceiveAsync();
        var nack = new Envoy.Service.Discovery.V3.DiscoveryRequest { TypeUrl = TypeUrls.Route, ResponseNonce = push.Nonce, ErrorDetail = new Google.Rpc.Status { Code = 3, Message = "weights refused" } };
        nack.ResourceNames.Add("8080");
        await client.SendRawAsync(nack);

        var status = await Poll.UntilAsync(
            () => Task.FromResult(harness.Server.Registry.Status().Single()),
            s => s.Types.Single(t => t.Type == "rds").LastNackError is not null,
            TimeSpan.FromSeconds(5),
            "the NACK to show in status");
        Assert.Equal("weights refused", status.Types.Single(t => t.Type == "rds").LastNackError);
        Assert.True(await client.QuietForAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task InstanceLeaseExpires_EndpointLeavesEds()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await harness.RegisterAsync("checkout", "v1", 9141);
        var doomed = await harness.RegisterAsync("checkout", "v2", 9142, TimeSpan.FromSeconds(2));
        await harness.RegisterAsync("checkout", "v2", 9143);
        await WaitForEndpointsAsync(harness, 3);
        await using var client = new AdsTestClient(harness.XdsPort, "grpc-1");
        await client.SubscribeLikeGrpcAsync("checkout:8080", "8080", V1, V2);

        await doomed.StopAsync(revoke: false, default);
        var push = await client.ReceiveAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(TypeUrls.Endpoint, push.TypeUrl);
        var v2 = push.Resources.Select(r => r.Unpack<ClusterLoadAssignment>()).Single(a => a.ClusterName == V2);
        Assert.Equal([9143u], v2.Endpoints.SelectMany(l => l.LbEndpoints).Select(e => e.Endpoint.Address.SocketAddress.PortValue));
    }

    [Fact]
    public async Task Stream_OpenedBeforeTheFirstSnapshot_IsAnsweredFromTheMeshNotFromNothing()
    {
        // A restarted control plane knows no resources until it has read etcd; a slow first translation widens that window.
        await using var harness = await ControlPlaneHarness.StartAsync(etcd, debounceQuiet: TimeSpan.FromSeconds(1));
        await using var client = new AdsTestClient(harness.XdsPort, "grpc-early");

        await client.SendAsync(TypeUrls.Listener, names: "checkout:8080");
        var first = await client.ReceiveAsync();

        // An empty answer would have told the client its listener is gone (LDS answers are complete).
        Assert.Equal("checkout:8080", first.Resources.Single().Unpack<Listener>().Name);
    }

    [Fact]
    public async Task Start_ReleaseHistoryLargerThanAnAnswerMayBe_StillBuildsTheMeshFromItsFolders()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await harness.RegisterAsync("checkout", "v1", 9111);
        await harness.RegisterAsync("checkout", "v2", 9112);
        await harness.StopServerAsync();

        // About 18 MB of release history under the same prefix: more than the 16 MiB one answer from etcd may hold.
        foreach (var i in Enumerable.Range(0, 30))
        {
            await new Etcd.GuardedTxn().Put(harness.Etcd.Keys.Release($"old-{i}"), new string('x', 600 * 1024)).CommitAsync(harness.Etcd, default);
        }

        await harness.StartServerAsync();

        await WaitForEndpointsAsync(harness, 2);
    }

    /// <summary>Waits until the control plane's snapshot holds <paramref name="count"/> instances across all services.</summary>
    private static Task<XdsSnapshot> WaitForEndpointsAsync(ControlPlaneHarness harness, int count) =>
        Poll.UntilAsync(
            () => Task.FromResult(harness.Server.Registry.Current),
            s => s.Endpoints.Where(e => e.Key.Contains("||", StringComparison.Ordinal))
                .Sum(e => ((ClusterLoadAssignment)e.Value.Message).Endpoints.Sum(l => l.LbEndpoints.Count)) >= count,
            TimeSpan.FromSeconds(10),
            $"{count} instances in the control plane's snapshot");
}
