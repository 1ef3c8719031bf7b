using Envoy.Config.Endpoint.V3;
using Grpc.Core;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using LightMesh.Xds.Bootstrap;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// The .NET proxyless client (<c>xds:///</c> in LightMesh.Discovery) against our real control plane, etcd and real
/// gRPC backends: the scenarios <see cref="XdsInteropTests"/> proves for @grpc/grpc-js-xds, and agreement with it.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class DotNetXdsClientTests(EtcdFixture etcd)
{
    private const string Target = "xds:///checkout:8080";
    private static readonly TimeSpan Reach = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ConvergenceTimeout = TimeSpan.FromSeconds(15);
    private static readonly Dictionary<string, string> Canary = new() { ["x-canary"] = "true" };

    [Fact]
    public async Task WeightedRoute_SplitsNinetyTenAndFollowsEveryWeightChangeWithoutAFailedCall()
    {
        await using var mesh = await StartAsync();

        var split = await mesh.Client.CallsAsync(2000);
        Assert.Equal(0, split.Errors);
        Assert.InRange(split.Count("v2") / 2000.0, 0.07, 0.13);

        mesh.Client.StartCalling();
        await ConvergeAsync(mesh, await mesh.Harness.SetWeightsAsync(50, 50));
        var half = await mesh.Client.CallsAsync(1000);
        Assert.Equal(0, half.Errors);
        Assert.InRange(half.Count("v2") / 1000.0, 0.4, 0.6);

        await ConvergeAsync(mesh, await mesh.Harness.SetWeightsAsync(0, 100));
        var all = await mesh.Client.CallsAsync(1000);
        Assert.Equal((1000, 0), (all.Count("v2"), all.Errors));

        var background = await mesh.Client.StopAsync();
        Assert.True(background.Total > 0);
        Assert.Equal(0, background.Errors);
    }

    [Fact]
    public async Task AClientWhoseBootstrapHoldsANodesToken_IsServedWhereAnonymousStreamsAreRefused()
    {
        await using var mesh = await StartAsync(proxyToken: Core.Security.TokenHash.NewToken());

        Assert.Equal("client-host", mesh.Harness.Server.Registry.Status().Single().Node);
    }

    [Fact]
    public async Task HeaderMatch_SendsCanaryCallsToV2Only()
    {
        await using var mesh = await StartAsync();

        var canary = await mesh.Client.CallsAsync(300, Canary);

        Assert.Equal((300, 0), (canary.Count("v2"), canary.Errors));
    }

    /// <summary>
    /// The routes a release's <c>setHeaderRoute</c> steps put first (a header, and a cookie among others), as the .NET
    /// client takes them: each wins over the weights, and once removed the weights decide again. The calls a
    /// <c>setMirrorRoute</c> route takes follow the weights (the client mirrors nothing).
    /// </summary>
    [Fact]
    public async Task ReleaseHeaderRoutes_WinOverTheWeights_UntilRemoved_MirrorRoutesFollowTheWeights()
    {
        await using var mesh = await StartAsync();
        await mesh.Harness.ApplyAsync(TestMeshes.Rule("checkout", [new("v1", "v1"), new("v2", "v2"), new("stable", "v1"), new("canary", "v2")]));
        var user = (await mesh.Harness.Store.ReadAsync(default)).RoutesOf("checkout")!;
        var beta = new SetHeaderRouteStep("beta", [new HeaderRouteMatch("x-user-group", new StringMatch(StringMatchKind.Prefix, "beta"))]);
        var opted = new SetHeaderRouteStep("opted-in", [new HeaderRouteMatch("canary", new StringMatch(StringMatchKind.Regex, "al+ways"), Cookie: true)]);
        var shadow = new SetMirrorRouteStep("shadow", 100, [new HttpMatchRequest { Headers = new Dictionary<string, StringMatch> { ["x-shadow"] = new(StringMatchKind.Exact, "1") } }]);
        await ConvergeAsync(mesh, await WriteAsync(mesh, ReleaseTraffic.WithReleaseRoutes(user, "checkout", [beta, opted, shadow, new SetMirrorRouteStep("everything", 50, [])])));

        Assert.Equal((300, 0), Outcome(await mesh.Client.CallsAsync(300, new Dictionary<string, string> { ["x-user-group"] = "beta-eu" })));
        Assert.Equal((300, 0), Outcome(await mesh.Client.CallsAsync(300, new Dictionary<string, string> { ["cookie"] = "session=1; canary=allways" })));
        var others = await mesh.Client.CallsAsync(1000, new Dictionary<string, string> { ["x-user-group"] = "gamma", ["cookie"] = "notcanary=always; x=1" });
        Assert.Equal(0, others.Errors);
        Assert.InRange(others.Count("v2") / 1000.0, 0.05, 0.15);
        var shadowed = await mesh.Client.CallsAsync(1000, new Dictionary<string, string> { ["x-shadow"] = "1" });
        Assert.Equal(0, shadowed.Errors);
        Assert.InRange(shadowed.Count("v2") / 1000.0, 0.05, 0.15);

        await ConvergeAsync(mesh, await WriteAsync(mesh, ReleaseTraffic.WithReleaseRoutes(user, "checkout", [])));
        var removed = await mesh.Client.CallsAsync(1000, new Dictionary<string, string> { ["x-user-group"] = "beta" });
        Assert.Equal(0, removed.Errors);
        Assert.InRange(removed.Count("v2") / 1000.0, 0.05, 0.15);
    }

    private static (int V2, int Errors) Outcome(DotNetXdsClient.Tally calls) => (calls.Count("v2"), calls.Errors);

    private static async Task<long> WriteAsync(Mesh mesh, Core.Networking.VirtualService routes)
    {
        var result = await mesh.Harness.Store.ApplyAsync([new Core.Documents.SourcedDocument(routes, "release")], default);
        Assert.Equal(Etcd.Documents.WriteOutcome.Applied, result.Outcome);
        return result.Revision;
    }

    [Fact]
    public async Task NoRouteMatches_CallFailsUnavailableSayingSo()
    {
        await using var mesh = await StartAsync();
        var testersOnly = await mesh.Harness.ApplyAsync(TestMeshes.VirtualService("checkout", [TestMeshes.Match("checkout", "v2")]));
        await ConvergeAsync(mesh, testersOnly);

        var (_, error) = await mesh.Client.CallAsync();

        Assert.NotNull(error);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("no route of virtual host checkout:8080 matches the call /lightmesh.interop.Echo/Version", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("v2", (await mesh.Client.CallAsync(Canary)).Reply?.Version);
    }

    [Fact]
    public async Task RevokedInstance_LeavesEdsAndCallsKeepSucceedingOnTheRest()
    {
        await using var mesh = await StartAsync(v2Instances: 2);
        await ConvergeAsync(mesh, await mesh.Harness.SetWeightsAsync(0, 100));
        await Poll.UntilAsync(() => mesh.Client.CallsAsync(40), t => t.Instances.Count == 2, Reach, "calls to reach both v2 instances");
        mesh.Client.StartCalling();
        var doomed = mesh.Backends[2];

        // The instance leaves as a stopping service does: its lease is revoked; the process goes only afterwards.
        await mesh.Harness.RegistrationOn(doomed.Port).StopAsync(revoke: true, default);
        var gone = await Poll.UntilAsync(
            () => Task.FromResult(mesh.Harness.Server.Registry.Current),
            s => !((ClusterLoadAssignment)s.Endpoints["outbound|8080|v2|checkout"].Message).Endpoints.SelectMany(l => l.LbEndpoints).Any(e => e.Endpoint.Address.SocketAddress.PortValue == doomed.Port),
            TimeSpan.FromSeconds(10),
            "the revoked instance to leave the snapshot");
        await ConvergeAsync(mesh, gone.Revision);
        await doomed.DisposeAsync();

        var after = await mesh.Client.CallsAsync(500);
        Assert.Equal((500, 0), (after.Count("v2"), after.Errors));
        Assert.DoesNotContain($"127.0.0.1:{doomed.Port}", after.Instances);
        Assert.Equal(0, (await mesh.Client.StopAsync()).Errors);
    }

    [Fact]
    public async Task RouteItCannotUse_IsNackedWhileTheLastGoodRoutesKeepServing()
    {
        await using var mesh = await StartAsync();
        mesh.Client.StartCalling();

        // An atomic group: valid for .NET's backtracking engine (so the control plane accepts it), but not a
        // regular expression RE2 or this client's linear-time engine can run.
        var unusable = await mesh.Harness.ApplyAsync(RouteByUri("""/lightmesh\.interop\.Echo/(?>Version)"""));
        var nack = await Poll.UntilAsync(
            () => Task.FromResult(mesh.Harness.Server.Registry.Status().Single(p => p.NodeId == mesh.NodeId).Types.Single(t => t.Type == "rds")),
            rds => rds.LastNackError is not null,
            ConvergenceTimeout,
            $"the client to NACK the route configuration written at revision {unusable}");
        Assert.Contains("""is not a regular expression this client can run""", nack.LastNackError, StringComparison.Ordinal);
        Assert.True(long.Parse(nack.AckedVersion, System.Globalization.CultureInfo.InvariantCulture) < unusable, $"ACKed {nack.AckedVersion}");

        var meanwhile = await mesh.Client.CallsAsync(1000);
        Assert.Equal(0, meanwhile.Errors);
        Assert.InRange(meanwhile.Count("v2") / 1000.0, 0.05, 0.15);

        // A usable rule afterwards is taken up as usual.
        await ConvergeAsync(mesh, await mesh.Harness.ApplyAsync(RouteByUri("""/lightmesh\.interop\.Echo/Version""")));
        var fixedUp = await mesh.Client.CallsAsync(300);
        Assert.Equal((300, 0), (fixedUp.Count("v2"), fixedUp.Errors));
        Assert.Equal(0, (await mesh.Client.StopAsync()).Errors);
    }

    [Fact]
    public async Task ControlPlaneAway_ChannelKeepsItsLastConfigAndFollowsAgainOnceItIsBack()
    {
        await using var mesh = await StartAsync();

        await mesh.Harness.StopServerAsync();
        var away = await mesh.Client.CallsAsync(500);
        Assert.Equal(0, away.Errors);
        Assert.InRange(away.Count("v2") / 500.0, 0.04, 0.16);

        // A change made while it is away is followed once the control plane is back and the stream open again.
        var revision = await mesh.Harness.SetWeightsAsync(0, 100);
        mesh.Client.StartCalling();
        await mesh.Harness.StartServerAsync();
        await Poll.UntilAsync(
            () => Task.FromResult(mesh.Harness.Server.Registry.Status()),
            proxies => proxies.Any(p => p.NodeId == mesh.NodeId),
            Reach,
            "the client to open its stream to the control plane again");
        await ConvergeAsync(mesh, revision);
        var after = await mesh.Client.CallsAsync(300);
        Assert.Equal((300, 0), (after.Count("v2"), after.Errors));
        var background = await mesh.Client.StopAsync();
        Assert.True(background.Errors == 0, $"{background}\n{mesh.Client.Log}");
    }

    [Fact]
    public async Task ItsControllerGone_TheClientOpensItsStreamToTheNextInItsBootstrap_AndFollowsWhatThatOneServes()
    {
        await using var mesh = await StartAsync();
        await using var second = await mesh.Harness.StartAnotherServerAsync();
        var nodeId = $"dotnet-failover-{Guid.NewGuid():N}";
        using var client = DotNetXdsClient.Start(Target, Bootstraps.Grpc(nodeId, [("127.0.0.1", mesh.Harness.XdsPort), ("127.0.0.1", second.Options.ListenEndpoint.Port)]));
        await client.WaitForVersionAsync("v1", Reach);
        Assert.Contains(mesh.Harness.Server.Registry.Status(), p => p.NodeId == nodeId);

        // The harness's own client knows only the first controller: once that is gone, it would hold the old routes, and
        // every wait would count it as behind. It leaves first, and the second controller reads the first's report of it.
        mesh.Client.Dispose();
        await Poll.UntilAsync(
            () => Task.FromResult(second.Mesh.Status().Proxies),
            proxies => proxies.Count == 1 && proxies[0] is { Controller: "first" } only && only.NodeId == nodeId,
            Reach,
            "the second controller to read that only the failover client is on the first");

        // The first controller dies; a change made then reaches the client through the second.
        await mesh.Harness.StopServerAsync();
        var revision = await mesh.Harness.SetWeightsAsync(0, 100);
        client.StartCalling();
        await Poll.UntilAsync(
            () => Task.FromResult(second.Registry.Status()),
            proxies => proxies.Any(p => p.NodeId == nodeId),
            Reach,
            "the client to open its stream to the second controller");
        var converged = await second.Mesh.WaitForConvergenceAsync(revision, "checkout", ConvergenceTimeout, default);
        Assert.True(converged.Converged && converged.Proxies == 1, $"lagging: {string.Join(", ", converged.Lagging)}, proxies {converged.Proxies}\n{client.Log}");
        var after = await client.CallsAsync(300);
        Assert.Equal((300, 0), (after.Count("v2"), after.Errors));
        var background = await client.StopAsync();
        Assert.True(background.Errors == 0, $"{background}\n{client.Log}");
    }

    [Fact]
    public async Task SameRule_DotNetAndGrpcJsAgreeOnTheSplit()
    {
        await using var mesh = await StartAsync();
        await ConvergeAsync(mesh, await mesh.Harness.SetWeightsAsync(70, 30));
        await using var node = XdsGrpcClient.Start(Target, Bootstraps.Grpc("interop-node", "127.0.0.1", mesh.Harness.XdsPort));
        foreach (var version in new[] { "v1", "v2" })
        {
            var reached = await node.CommandAsync(new { op = "wait", version, timeoutMs = 15000 });
            Assert.True(reached["ok"]!.GetValue<bool>(), reached.ToJsonString());
        }

        // Side by side, under the same rule. With 1500 calls each, 0.05 is over 4 standard deviations of one share
        // and 0.06 over 3.5 of their difference.
        const int Calls = 1500;
        var grpcJsCalls = node.CommandAsync(new { op = "calls", count = Calls });
        var dotnet = await mesh.Client.CallsAsync(Calls);
        var grpcJs = await grpcJsCalls;

        Assert.Equal(0, dotnet.Errors);
        Assert.Equal(0, grpcJs["errors"]!.GetValue<int>());
        var dotnetShare = dotnet.Count("v2") / (double)Calls;
        var grpcJsShare = (grpcJs["counts"]!["v2"]?.GetValue<int>() ?? 0) / (double)Calls;
        Assert.InRange(dotnetShare, 0.25, 0.35);
        Assert.InRange(grpcJsShare, 0.25, 0.35);
        Assert.True(Math.Abs(dotnetShare - grpcJsShare) <= 0.06, $".NET sends {dotnetShare:P1} to v2, grpc-js {grpcJsShare:P1}");
    }

    private static string RouteByUri(string regex) => TestMeshes.VirtualService("checkout", [
        $"{{name: by-uri, match: [{{uri: {{regex: '{regex}'}}}}], route: [{{destination: {{host: checkout, subset: v2}}}}]}}",
        TestMeshes.Split("checkout", ("v1", 90), ("v2", 10)),
    ]);

    /// <summary>checkout v1 and v2 as real gRPC backends under leases, and a .NET client that has reached both.</summary>
    /// <param name="proxyToken">A Node's token for the client's bootstrap; with one, the control plane refuses anonymous streams.</param>
    private async Task<Mesh> StartAsync(int v2Instances = 1, string? proxyToken = null)
    {
        var documents = ControlPlaneHarness.Checkout + (proxyToken is null ? ""
            : ControlPlaneHarness.NodeWithToken("client-host", proxyToken));
        var harness = await ControlPlaneHarness.StartAsync(etcd, documents, allowAnonymous: proxyToken is null);
        var backends = new List<GrpcBackend> { await GrpcBackend.StartAsync("v1") };
        await harness.RegisterAsync("checkout", "v1", backends[0].Port);
        for (var i = 0; i < v2Instances; i++)
        {
            backends.Add(await GrpcBackend.StartAsync("v2"));
            await harness.RegisterAsync("checkout", "v2", backends[^1].Port);
        }

        var nodeId = $"dotnet-{Guid.NewGuid():N}";
        var mesh = new Mesh(harness, backends, DotNetXdsClient.Start(Target, Bootstraps.Grpc(nodeId, "127.0.0.1", harness.XdsPort, proxyToken)), nodeId);
        await mesh.Client.WaitForVersionAsync("v1", Reach);
        await mesh.Client.WaitForVersionAsync("v2", Reach);
        return mesh;
    }

    private static async Task ConvergeAsync(Mesh mesh, long revision, int proxies = 1)
    {
        var result = await mesh.Harness.Server.Mesh.WaitForConvergenceAsync(revision, "checkout", ConvergenceTimeout, default);
        Assert.True(result.Converged, $"lagging: {string.Join(", ", result.Lagging)}\n{mesh.Client.Log}");
        Assert.Equal(proxies, result.Proxies);
    }

    private sealed class Mesh(ControlPlaneHarness harness, List<GrpcBackend> backends, DotNetXdsClient client, string nodeId) : IAsyncDisposable
    {
        public ControlPlaneHarness Harness { get; } = harness;
        public List<GrpcBackend> Backends { get; } = backends;
        public DotNetXdsClient Client { get; } = client;
        public string NodeId { get; } = nodeId;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            foreach (var backend in Backends)
            {
                await backend.DisposeAsync();
            }

            await Harness.DisposeAsync();
        }
    }
}
