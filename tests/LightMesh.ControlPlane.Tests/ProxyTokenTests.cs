using System.Globalization;
using System.Text.Json.Nodes;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using LightMesh.Processes;
using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Hosting;
using LightMesh.Core.Security;
using LightMesh.Testing;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// Who may open an ADS stream: a proxy that shows a token some Node names by its SHA-256, as gRPC metadata or in its
/// node's metadata; anyone only where anonymous proxies are allowed. And what one stream may cost the controller.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ProxyTokenTests(EtcdFixture etcd)
{
    private const string Listener = "checkout:8080";
    private const string Route = "8080";
    private const string V1 = "outbound|8080|v1|checkout";

    private static string Node(string name, string token) => ControlPlaneHarness.NodeWithToken(name, token);

    [Fact]
    public async Task AStreamThatShowsNoToken_IsRefused_NamingWhatToSend_AndGetsNothing()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd, ControlPlaneHarness.Checkout + Node("node-a", TokenHash.NewToken()), allowAnonymous: false);
        await using var client = new AdsTestClient(harness.XdsPort, "node-a");
        await client.SendAsync(TypeUrls.Listener, names: Listener);

        var status = await client.EndedAsync();
        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains("no proxy token", status.Detail, StringComparison.Ordinal);
        Assert.Contains("lightmesh-node-token", status.Detail, StringComparison.Ordinal);
        Assert.True(await client.QuietForAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Empty(harness.Server.Registry.Status());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AStreamThatShowsATokenNoNodeNames_IsRefused(bool asMetadata)
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd, ControlPlaneHarness.Checkout + Node("node-a", TokenHash.NewToken()), allowAnonymous: false);
        var guess = TokenHash.NewToken();
        await using var client = asMetadata ? new AdsTestClient(harness.XdsPort, "node-a", headerToken: guess) : new AdsTestClient(harness.XdsPort, "node-a", nodeMetadataToken: guess);
        await client.SendAsync(TypeUrls.Listener, names: Listener);

        var status = await client.EndedAsync();
        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains("not one any Node names", status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AStreamThatShowsANodesToken_IsServed_AndStatusNamesTheNode(bool asMetadata)
    {
        var token = TokenHash.NewToken();
        await using var harness = await ControlPlaneHarness.StartAsync(
            etcd, ControlPlaneHarness.Checkout + Node("node-a", token) + Node("node-b", TokenHash.NewToken()), allowAnonymous: false);
        await harness.RegisterAsync("checkout", "v1", LoopbackPort.Free());
        await using var client = asMetadata ? new AdsTestClient(harness.XdsPort, "node-a", headerToken: token) : new AdsTestClient(harness.XdsPort, "node-a", nodeMetadataToken: token);

        var got = await client.SubscribeLikeGrpcAsync(Listener, Route, V1);

        Assert.Single(got[TypeUrls.Endpoint].Resources);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var status = JsonNode.Parse(await http.GetStringAsync($"http://{harness.Server.Options.Admin}/status"))!;
        Assert.Equal("node-a", (string?)status["proxies"]![0]!["node"]);
    }

    [Fact]
    public async Task GivingTheNodeAnotherToken_EndsTheStreamsThatShowedTheOldOne()
    {
        var token = TokenHash.NewToken();
        await using var harness = await ControlPlaneHarness.StartAsync(etcd, ControlPlaneHarness.Checkout + Node("node-a", token), allowAnonymous: false);
        await harness.RegisterAsync("checkout", "v1", LoopbackPort.Free());
        await using var client = new AdsTestClient(harness.XdsPort, "node-a", headerToken: token);
        await client.SubscribeLikeGrpcAsync(Listener, Route, V1);

        await harness.ApplyAsync(Node("node-a", TokenHash.NewToken()));

        var status = await client.EndedAsync();
        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains("proxy token of Node node-a was replaced", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhereAnonymousProxiesAreAllowed_AStreamWithoutATokenIsServed_AndTheLogSaysSo()
    {
        var log = new LogLines();
        await using var harness = await ControlPlaneHarness.StartAsync(etcd, log: log, allowAnonymous: true);
        await harness.RegisterAsync("checkout", "v1", LoopbackPort.Free());
        await using var client = new AdsTestClient(harness.XdsPort, "anyone");

        await client.SubscribeLikeGrpcAsync(Listener, Route, V1);

        Assert.Null(harness.Server.Registry.Status().Single().Node);
        Assert.Contains(log.Lines, l => l.Contains("Anonymous proxies are allowed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AClientThatSendsWithoutReadingItsAnswers_HasItsStreamEnded_NotBuffered()
    {
        var registry = new ProxyRegistry(TimeProvider.System, Options.Create(new XdsServerOptions { AllowAnonymous = true }), NullLogger<ProxyRegistry>.Instance);
        registry.Publish(XdsSnapshot.Empty);
        var flood = new EndlessRequests();

        // The client never reads its answers: the first write never ends, and the stream's loop waits on it.
        var serving = registry.ServeAsync(flood, new NeverRead(), null, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<RpcException>(() => serving.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains($"more than {ProxyRegistry.MaxWaitingRequests} requests", refused.Status.Detail, StringComparison.Ordinal);
        Assert.InRange(flood.Read, ProxyRegistry.MaxWaitingRequests + 1, ProxyRegistry.MaxWaitingRequests + 3);
        Assert.Equal(0, registry.ConnectedProxies);
    }

    [Fact]
    public async Task NacksOfTypesTheControlPlaneDoesNotServe_CountUnderOther()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await using var client = new AdsTestClient(harness.XdsPort, "nacker");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = new Uri($"http://{harness.Server.Options.Admin}/metrics");
        var before = OtherNacks(await http.GetStringAsync(metrics));

        for (var i = 0; i < 5; i++)
        {
            await client.SendRawAsync(new DiscoveryRequest
            {
                Node = new Node { Id = "nacker" },
                TypeUrl = $"type.googleapis.com/made.up.Type{Guid.NewGuid():N}",
                ErrorDetail = new Google.Rpc.Status { Code = 3, Message = "no" },
            });
        }

        var text = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline && OtherNacks(text) < before + 5; await Task.Delay(100))
        {
            text = await http.GetStringAsync(metrics);
        }

        Assert.Equal(before + 5, OtherNacks(text));
        Assert.DoesNotContain("made.up.Type", text, StringComparison.Ordinal);
    }

    private static double OtherNacks(string metrics) =>
        metrics.Split('\n').Where(l => l.StartsWith("lightmesh_xds_nacks_total{type=\"other\"}", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[^1], CultureInfo.InvariantCulture)).SingleOrDefault();

    /// <summary>A client's request stream that always has another request ready, up to a bound (so a reader that never stops fails the test rather than hanging it).</summary>
    private sealed class EndlessRequests : IAsyncStreamReader<DiscoveryRequest>
    {
        private const int Bound = 10_000;
        private int _read;

        public int Read => Volatile.Read(ref _read);

        public DiscoveryRequest Current { get; private set; } = new();

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Read >= Bound)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            Interlocked.Increment(ref _read);
            Current = new DiscoveryRequest { Node = new Node { Id = "flood" }, TypeUrl = TypeUrls.Listener, ResourceNames = { "*" } };
            return true;
        }
    }

    /// <summary>A response stream whose client never reads: a write does not complete until it is cancelled.</summary>
    private sealed class NeverRead : IServerStreamWriter<DiscoveryResponse>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(DiscoveryResponse message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(DiscoveryResponse message, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
