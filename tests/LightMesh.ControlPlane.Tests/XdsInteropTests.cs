using System.Text.Json.Nodes;
using Envoy.Config.Endpoint.V3;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Documents;
using LightMesh.Testing;
using LightMesh.Xds.Bootstrap;

namespace LightMesh.ControlPlane.Tests;

/// <summary>The proof: a real proxyless gRPC client (@grpc/grpc-js-xds) follows what our control plane serves from etcd.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class XdsInteropTests(EtcdFixture etcd)
{
    private static readonly TimeSpan ConvergenceTimeout = TimeSpan.FromSeconds(30);

    private sealed class Mesh : IAsyncDisposable
    {
        public required ControlPlaneHarness Harness { get; init; }
        public required List<GrpcBackend> Backends { get; init; }
        public required XdsGrpcClient Client { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            foreach (var backend in Backends)
            {
                await backend.DisposeAsync();
            }

            await Harness.DisposeAsync();
        }
    }

    /// <summary>checkout v1 and v2 as real gRPC backends registered under leases, and a client that already reached both.</summary>
    /// <param name="documents">The mesh; <see cref="ControlPlaneHarness.Checkout"/> when null.</param>
    /// <param name="proxyToken">A Node's token for the client's bootstrap; with one, the control plane refuses anonymous streams.</param>
    private async Task<Mesh> StartAsync(string? documents = null, int v2Instances = 1, string? proxyToken = null)
    {
        documents ??= ControlPlaneHarness.Checkout;
        if (proxyToken is not null)
        {
            documents += ControlPlaneHarness.NodeWithToken("client-host", proxyToken);
        }

        var harness = await ControlPlaneHarness.StartAsync(etcd, documents, allowAnonymous: proxyToken is null);
        var backends = new List<GrpcBackend> { await GrpcBackend.StartAsync("v1") };
        await harness.RegisterAsync("checkout", "v1", backends[0].Port);
        for (var i = 0; i < v2Instances; i++)
        {
            backends.Add(await GrpcBackend.StartAsync("v2"));
            await harness.RegisterAsync("checkout", "v2", backends[^1].Port, TimeSpan.FromSeconds(2));
        }

        var client = XdsGrpcClient.Start("xds:///checkout:8080", Bootstraps.Grpc("interop-client", "127.0.0.1", harness.XdsPort, proxyToken));
        var mesh = new Mesh { Harness = harness, Backends = backends, Client = client };
        foreach (var version in new[] { "v1", "v2" })
        {
            var reached = await client.CommandAsync(new { op = "wait", version, timeoutMs = 30000 });
            Assert.True(reached["ok"]!.GetValue<bool>(), reached.ToJsonString());
        }

        return mesh;
    }

    private static (int V1, int V2, int Errors) Counts(JsonNode reply)
    {
        Assert.True(reply["ok"]!.GetValue<bool>(), reply.ToJsonString());
        var counts = reply["counts"]!.AsObject();
        return (counts["v1"]?.GetValue<int>() ?? 0, counts["v2"]?.GetValue<int>() ?? 0, reply["errors"]!.GetValue<int>());
    }

    private static async Task ConvergeAsync(Mesh mesh, long revision, int proxies = 1)
    {
        var result = await mesh.Harness.Server.Mesh.WaitForConvergenceAsync(revision, "checkout", ConvergenceTimeout, default);
        Assert.True(result.Converged, $"lagging: {string.Join(", ", result.Lagging)}");
        Assert.Equal(proxies, result.Proxies);
    }

    [Fact]
    public async Task WeightedRoute_SplitsCallsAndFollowsEveryWeightChangeWithoutAFailedCall()
    {
        await using var mesh = await StartAsync();

        var (v1, v2, errors) = Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 2000 }));
        Assert.Equal(0, errors);
        Assert.InRange(v2 / 2000.0, 0.07, 0.13);

        Assert.True((await mesh.Client.CommandAsync(new { op = "start", concurrency = 4 }))["ok"]!.GetValue<bool>());
        await ConvergeAsync(mesh, await mesh.Harness.SetWeightsAsync(50, 50));
        (v1, v2, errors) = Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 1000 }));
        Assert.Equal(0, errors);
        Assert.InRange(v2 / 1000.0, 0.35, 0.65);

        await ConvergeAsync(mesh, await mesh.Harness.SetWeightsAsync(0, 100));
        (v1, v2, errors) = Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 1000 }));
        Assert.Equal((0, 1000, 0), (v1, v2, errors));

        var background = Counts(await mesh.Client.CommandAsync(new { op = "stop" }));
        Assert.Equal(0, background.Errors);
        Assert.True(background.V1 + background.V2 > 0);
    }

    [Fact]
    public async Task AClientWhoseBootstrapHoldsANodesToken_IsServedWhereAnonymousStreamsAreRefused()
    {
        var token = Core.Security.TokenHash.NewToken();
        await using var mesh = await StartAsync(proxyToken: token);

        var counts = Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 200 }));

        Assert.Equal(0, counts.Errors);
        Assert.Equal("client-host", mesh.Harness.Server.Registry.Status().Single().Node);
    }

    [Fact]
    public async Task HeaderMatch_SendsCanaryCallsToV2Only()
    {
        await using var mesh = await StartAsync();

        var counts = Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 300, headers = new Dictionary<string, string> { ["x-canary"] = "true" } }));

        Assert.Equal((0, 300, 0), counts);
    }

    /// <summary>
    /// The routes a release's <c>setHeaderRoute</c> and <c>setMirrorRoute</c> steps and its <c>sessionAffinity</c> write
    /// (<c>ReleaseTraffic.WithReleaseRoutes</c>), as the real client takes them: calls with the header, or with
    /// the cookie among others (the release's session cookie too), all reach the canary whatever the weights; the rest,
    /// those a mirror route takes included (the client routes them and mirrors nothing), follow the weights, the canary's
    /// share carrying the headers its answers would add (which the client leaves to Envoy); once the release ends
    /// (<see cref="ReleaseTraffic.AllToStable"/>), none of them does.
    /// </summary>
    [Fact]
    public async Task ReleaseHeaderRoutes_WinOverTheWeights_MirrorRoutesFollowThem_AndAllAreGoneAtTheEnd()
    {
        var documents = TestMeshes.Join(
            TestMeshes.Service("checkout", protocol: "grpc"),
            TestMeshes.Rule("checkout", [new("stable", "v1"), new("canary", "v2")]),
            TestMeshes.VirtualService("checkout", [TestMeshes.Split("checkout", ("stable", 80), ("canary", 20))]));
        await using var mesh = await StartAsync(documents);
        var user = (await mesh.Harness.Store.ReadAsync(default)).RoutesOf("checkout")!;
        var beta = new SetHeaderRouteStep("beta", [new HeaderRouteMatch("x-user-group", new StringMatch(StringMatchKind.Exact, "beta"))]);
        var opted = new SetHeaderRouteStep("opted-in", [new HeaderRouteMatch("canary", new StringMatch(StringMatchKind.Exact, "always"), Cookie: true)]);
        var shadow = new SetMirrorRouteStep("shadow", 100, [new HttpMatchRequest { Headers = new Dictionary<string, StringMatch> { ["x-shadow"] = new(StringMatchKind.Exact, "1") } }]);
        var everything = new SetMirrorRouteStep("everything", 50, []);
        var release = new ReleaseState
        {
            Id = "checkout-v2-1", Service = "checkout", Version = "v2", StableVersion = "v1", Workflow = "sticky",
            Spec = new ReleaseWorkflowSpec { Steps = [], SessionAffinity = new SessionAffinity("lm-canary", Core.Validation.Duration.Of(TimeSpan.FromHours(1))) },
            HeaderRoutes = [beta, opted], MirrorRoutes = [shadow, everything], StartedAt = DateTimeOffset.UnixEpoch, LastProgressAt = DateTimeOffset.UnixEpoch,
        };
        var sticky = ReleaseTraffic.WithReleaseRoutes(user, release);
        Assert.NotNull(ReleaseTraffic.CanaryHeaders(sticky));
        await ConvergeAsync(mesh, await WriteAsync(mesh, sticky));

        Assert.Equal((0, 300, 0), Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 300, headers = new Dictionary<string, string> { ["cookie"] = $"theme=dark; lm-canary={ReleaseTraffic.SessionCookieValue(release)}" } })));
        Assert.Equal((0, 300, 0), Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 300, headers = new Dictionary<string, string> { ["x-user-group"] = "beta" } })));
        Assert.Equal((0, 300, 0), Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 300, headers = new Dictionary<string, string> { ["cookie"] = "session=1; canary=always; theme=dark" } })));
        var others = Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 1000, headers = new Dictionary<string, string> { ["x-user-group"] = "gamma", ["cookie"] = "canary=always2" } }));
        Assert.Equal(0, others.Errors);
        Assert.InRange(others.V2 / 1000.0, 0.13, 0.27);
        var shadowed = Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 1000, headers = new Dictionary<string, string> { ["x-shadow"] = "1" } }));
        Assert.Equal(0, shadowed.Errors);
        Assert.InRange(shadowed.V2 / 1000.0, 0.13, 0.27);

        await ConvergeAsync(mesh, await WriteAsync(mesh, ReleaseTraffic.AllToStable(sticky)));
        Assert.Equal((300, 0, 0), Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 300, headers = new Dictionary<string, string> { ["x-user-group"] = "beta", ["cookie"] = $"canary=always; lm-canary={ReleaseTraffic.SessionCookieValue(release)}" } })));
    }

    /// <summary>
    /// A blue-green preview by its own name, as the real client takes it: while the release's routes hold the preview
    /// route, <c>xds:///checkout-preview:8080</c> reaches the preview with every call, no header needed, while
    /// <c>xds:///checkout:8080</c> without the header stays on the stable version; once the route goes, so does the name.
    /// </summary>
    [Fact]
    public async Task PreviewRoute_MakesServiceNamePreview_ReachThePreview_UntilTheReleaseEnds()
    {
        static string Routes(int stable) => TestMeshes.VirtualService("checkout", [TestMeshes.Split("checkout", ("stable", stable), ("canary", 100 - stable))]);
        var service = TestMeshes.Service("checkout", protocol: "grpc");
        await using var mesh = await StartAsync(TestMeshes.Join(service, TestMeshes.Rule("checkout", [new("stable", "v1"), new("canary", "v2")]), Routes(50)));

        // Before the switch a blue-green release gives the preview no share: stable takes every call without the header.
        var user = Assert.IsType<Core.Networking.VirtualService>(TestMeshes.Parse(Routes(100)).Single().Document);
        var steps = ReleaseStrategies.Steps(
            new ReleaseWorkflowSpec { Strategy = ReleaseStrategy.BlueGreen, Steps = [new DeployStep(null), new PromoteStep()] },
            Assert.IsType<Core.Mesh.MeshService>(TestMeshes.Parse(service).Single().Document));
        var release = new ReleaseState
        {
            Id = "checkout-v2-1", Service = "checkout", Version = "v2", StableVersion = "v1", Workflow = "blue-green", Spec = steps,
            HeaderRoutes = [.. steps.Steps.OfType<SetHeaderRouteStep>()], StartedAt = DateTimeOffset.UnixEpoch, LastProgressAt = DateTimeOffset.UnixEpoch,
        };
        var previewing = ReleaseTraffic.WithReleaseRoutes(user, release);
        await ConvergeAsync(mesh, await WriteAsync(mesh, previewing));

        await using var preview = XdsGrpcClient.Start("xds:///checkout-preview:8080", Bootstraps.Grpc("preview-client", "127.0.0.1", mesh.Harness.XdsPort, null));
        var reached = await preview.CommandAsync(new { op = "wait", version = "v2", timeoutMs = 30000 });
        Assert.True(reached["ok"]!.GetValue<bool>(), reached.ToJsonString());
        Assert.Equal((0, 300, 0), Counts(await preview.CommandAsync(new { op = "calls", count = 300 })));
        Assert.Equal((300, 0, 0), Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 300 })));

        // The switch: the preview's client, which holds only the preview's cluster, converges on it as the service's does.
        var user0 = Assert.IsType<Core.Networking.VirtualService>(TestMeshes.Parse(Routes(0)).Single().Document);
        await ConvergeAsync(mesh, await WriteAsync(mesh, ReleaseTraffic.WithReleaseRoutes(user0, release)), proxies: 2);
        Assert.Equal((0, 300, 0), Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 300 })));

        // The preview's client converges on the end too (it holds no listener any more): it does not hold the release up.
        await ConvergeAsync(mesh, await WriteAsync(mesh, ReleaseTraffic.AllToStable(previewing)), proxies: 2);
        var gone = await Poll.UntilAsync(
            async () => Counts(await preview.CommandAsync(new { op = "calls", count = 20 })),
            c => c.Errors == 20,
            TimeSpan.FromSeconds(20),
            "calls to checkout-preview failing once the preview route is gone");
        Assert.Equal((0, 0, 20), gone);
        Assert.Equal((300, 0, 0), Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 300 })));
    }

    private static async Task<long> WriteAsync(Mesh mesh, Core.Networking.VirtualService routes)
    {
        var result = await mesh.Harness.Store.ApplyAsync([new Core.Documents.SourcedDocument(routes, "release")], default);
        Assert.Equal(WriteOutcome.Applied, result.Outcome);
        return result.Revision;
    }

    [Fact]
    public async Task ExpiredInstance_LeavesEdsAndCallsKeepSucceedingOnTheRest()
    {
        await using var mesh = await StartAsync(v2Instances: 2);
        await ConvergeAsync(mesh, await mesh.Harness.SetWeightsAsync(0, 100));
        Assert.True((await mesh.Client.CommandAsync(new { op = "start", concurrency = 4 }))["ok"]!.GetValue<bool>());
        var doomed = mesh.Backends[2];

        // Its lease lapses (keep-alives stop, as when a process hangs); only then does the process die.
        await mesh.Harness.RegistrationOn(doomed.Port).StopAsync(revoke: false, default);
        var gone = await Poll.UntilAsync(
            () => Task.FromResult(mesh.Harness.Server.Registry.Current),
            s => !((ClusterLoadAssignment)s.Endpoints["outbound|8080|v2|checkout"].Message).Endpoints.SelectMany(l => l.LbEndpoints).Any(e => e.Endpoint.Address.SocketAddress.PortValue == doomed.Port),
            TimeSpan.FromSeconds(10),
            "the expired instance to leave the snapshot");
        await ConvergeAsync(mesh, gone.Revision);
        await doomed.DisposeAsync();

        var reply = await mesh.Client.CommandAsync(new { op = "calls", count = 500 });
        Assert.Equal((0, 500, 0), Counts(reply));
        Assert.DoesNotContain($"127.0.0.1:{doomed.Port}", reply["instances"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal(0, Counts(await mesh.Client.CommandAsync(new { op = "stop" })).Errors);
    }

    [Fact]
    public async Task RouteToASubsetWithNoEndpointsOrAnInvalidDocument_NeverBreaksTheWorkingConfig()
    {
        var withV3 = ControlPlaneHarness.CheckoutWithSubsets("v1", "v2", "v3");
        await using var mesh = await StartAsync(withV3);
        Assert.True((await mesh.Client.CommandAsync(new { op = "start", concurrency = 4 }))["ok"]!.GetValue<bool>());

        var toNowhere = await mesh.Harness.Store.SetWeightsAsync("checkout", "primary", [new("v1", 50), new("v3", 50)], default);
        Assert.Equal(WriteOutcome.Applied, toNowhere.Outcome);
        var held = await Poll.UntilAsync(
            () => Task.FromResult(mesh.Harness.Server.Registry.Current),
            s => s.Revision >= toNowhere.Revision,
            TimeSpan.FromSeconds(10),
            "the control plane to see the write");
        Assert.Contains("outbound|8080|v3|checkout with no endpoints", Assert.Single(held.Problems), StringComparison.Ordinal);

        var invalid = DocumentParser.Parse("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: checkout}\nspec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout, subset: v9}\n", "bad.yaml");
        Assert.Equal(WriteOutcome.Invalid, (await mesh.Harness.Store.ApplyAsync(invalid.Documents, default)).Outcome);

        var (v1, v2, errors) = Counts(await mesh.Client.CommandAsync(new { op = "calls", count = 1000 }));
        Assert.Equal(0, errors);
        Assert.InRange(v2 / 1000.0, 0.05, 0.15);
        Assert.Equal(1000, v1 + v2);
        Assert.Equal(0, Counts(await mesh.Client.CommandAsync(new { op = "stop" })).Errors);
    }
}
