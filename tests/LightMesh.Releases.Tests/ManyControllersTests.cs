using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Processes;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Host.Api;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// Three controllers on one etcd with proxies spread across them: a weight step is done only when the proxies on every
/// controller have ACKed it; a frozen controller's proxies hold the release up until its progress deadline rolls it back,
/// and it ends only once they have the old routes again; a controller killed with its proxies, and then the leader, cost only a reconnect.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ManyControllersTests(EtcdFixture etcd) : IAsyncLifetime
{
    private const string Service = "spread";
    private readonly string _prefix = etcd.NewPrefix();
    private readonly List<InstanceRegistration> _instances = [];
    private EtcdConnection? _etcd;

    public async Task InitializeAsync()
    {
        _etcd = etcd.Connect(_prefix);
        const string steps = """
              - deploy: {}
              - setWeight: 20
              - pause: {}
              - setWeight: 50
              - pause: {}
              - promote: {}
            """;
        var parsed = DocumentParser.Parse(
            TestMeshes.Join(
                TestMeshes.Service(Service, protocol: "grpc"),
                TestMeshes.Rule(Service, [new("stable", "v1")]),
                TestMeshes.Workflow("spread-flow", steps, "  progressDeadline: 5s"),
                TestMeshes.Workflow("spread-patient", steps)),
            "spread.yaml");
        Assert.Empty(parsed.Errors);
        await new DocumentStore(_etcd).ApplyAsync(parsed.Documents, default);
        var registry = new InstanceRegistry(_etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        foreach (var version in new[] { "v1", "v2" })
        {
            var outcome = await registry.RegisterAsync(
                new Core.Mesh.Instance { Service = Service, Id = version, Version = version, Address = "127.0.0.1", Port = LoopbackPort.Free(), Labels = new Dictionary<string, string> { ["version"] = version } },
                TimeSpan.FromSeconds(10),
                default);
            _instances.Add(outcome.Registration!);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        _etcd!.Dispose();
    }

    [Fact]
    public async Task WeightSteps_WaitForTheProxiesOnEveryController_AndAKilledControllerOrLeaderCostsOnlyAReconnect()
    {
        await using var servers = new ServerProcesses(etcd, _prefix, new Uri("http://127.0.0.1:9/"));
        var ((a, aApi, aXds), (_, bApi, bXds), (c, _, cXds)) = await StartThreeAsync(servers);
        await using var onA = new FollowingProxy("proxy-a", Service, 8080, aXds, bXds);
        await using var onB = new FollowingProxy("proxy-b", Service, 8080, bXds);
        await using var onC = new FollowingProxy("proxy-c", Service, 8080, cXds, aXds, bXds);
        await ProxiesAsync(aApi, p => p.Count == 3, "a to see the proxies of all three controllers");

        // The proxy on b takes the 20% without ACKing it: the step waits for it, though a's and c's proxies have it.
        // (A workflow without a progress deadline: however slow the machine, the held step waits rather than rolls back.)
        onB.HoldFrom(response => CanaryWeight(response) == 20);
        var id = (await ServerProcesses.StartReleaseAsync(aApi, Service, "v2", "spread-patient")).Id;
        var write = await Poll.UntilAsync(() => CanaryWeightAsync(), w => w.Weight == 20, TimeSpan.FromSeconds(30), "the 20% write");
        await ProxiesAsync(aApi, p => p.Count(x => x.ConvergedRevision >= write.Revision) == 2, "the proxies on a and c to ACK the 20%");
        Assert.Equal("setWeight", (await ServerProcesses.GetAsync(aApi, id))!.StepType);
        onB.Release();
        var paused = await ServerProcesses.WaitAsync(aApi, id, r => r.Phase == ReleasePhase.Paused, "the pause after 20%, once b's proxy ACKed");
        Assert.Equal(2, paused.Step);

        // c dies with its proxy, which connects to a: the 50% step is done once it has ACKed there.
        await c.DisposeAsync();
        await ActAsync(aApi, id, "resume");
        await ServerProcesses.WaitAsync(aApi, id, r => r.Phase == ReleasePhase.Paused && r.Step == 4, "the pause after 50%, with c dead");
        Assert.Equal(aXds, onC.XdsPort);

        // The leader dies: b leads, and its proxy-a (now on b) is waited for like any other.
        await a.DisposeAsync();
        await Poll.UntilAsync(() => ServerProcesses.ControllerAsync(bApi), v => v?.Leader == true, TimeSpan.FromSeconds(20), "b to lead");
        await ActAsync(bApi, id, "resume");
        var done = await ServerProcesses.WaitAsync(bApi, id, r => r.Phase == ReleasePhase.Succeeded, "success under b");

        Assert.Equal(new WeightsView(100, 0), done.Weights);
        var final = await ProxiesAsync(bApi, p => p.Count == 3 && p.All(x => x.Controller == "b" && !x.Unknown), "every proxy on b");
        Assert.Equal(["proxy-a", "proxy-b", "proxy-c"], final.Select(p => p.NodeId).Order());
    }

    [Fact]
    public async Task AFrozenController_HoldsTheStepNamingItsProxy_RollsTheReleaseBack_AndItEndsOnlyOnceThatProxyHasTheOldRoutes()
    {
        await using var servers = new ServerProcesses(etcd, _prefix, new Uri("http://127.0.0.1:9/"));
        var ((_, aApi, aXds), (b, _, bXds), (_, _, cXds)) = await StartThreeAsync(servers);
        await using var onA = new FollowingProxy("proxy-a", Service, 8080, aXds);
        await using var onB = new FollowingProxy("proxy-b", Service, 8080, bXds);
        await using var onC = new FollowingProxy("proxy-c", Service, 8080, cXds);
        await ProxiesAsync(aApi, p => p.Count == 3, "a to see the proxies of all three controllers");
        var id = (await ServerProcesses.StartReleaseAsync(aApi, Service, "v2", "spread-flow")).Id;
        await ServerProcesses.WaitAsync(aApi, id, r => r.Phase == ReleasePhase.Paused, "the pause after 20%");

        // b hangs. The 50% step waits for its proxy, names it, and the release rolls back at its progress deadline.
        b.Process.Freeze();
        try
        {
            await ActAsync(aApi, id, "resume");
            var named = await ServerProcesses.WaitAsync(aApi, id, r => r.Retry?.Reason.Contains("proxy-b on b", StringComparison.Ordinal) == true, "the step to name b's proxy");
            Assert.Contains("canary at 50%, but within 2s 1 proxy did not converge: proxy-b on b", named.Retry!.Reason, StringComparison.Ordinal);
            var rollingBack = await ServerProcesses.WaitAsync(aApi, id, r => r.RollingBack is not null, "the rollback at the progress deadline");
            Assert.Contains("progress", rollingBack.RollingBack, StringComparison.OrdinalIgnoreCase);

            // The rollback's traffic write cannot be confirmed while b's proxy is out of reach: the release does not end.
            var waiting = await ServerProcesses.WaitAsync(
                aApi, id, r => r.RollingBack is not null && r.Retry?.Reason.Contains("proxy-b on b (gone since it had", StringComparison.Ordinal) == true, "the rollback to wait for b's proxy");
            Assert.NotEqual(ReleasePhase.RolledBack, waiting.Phase);
        }
        finally
        {
            b.Process.Thaw();
        }

        var rolledBack = await ServerProcesses.WaitAsync(aApi, id, r => r.Phase == ReleasePhase.Failed, "the rollback to end once b is back");
        Assert.Equal(new WeightsView(100, 0), rolledBack.Weights);
        var weights = await CanaryWeightAsync();
        var proxies = await ProxiesAsync(aApi, p => p.Count == 3, "three proxies");
        Assert.All(proxies, p => Assert.True(p.ConvergedRevision >= weights.Revision, $"{p.NodeId} on {p.Controller} at {p.ConvergedRevision}, the rollback wrote {weights.Revision}"));
    }

    /// <summary>Controllers a, b and c; a leads.</summary>
    private static async Task<((LocalController, Uri, int) A, (LocalController, Uri, int) B, (LocalController, Uri, int) C)> StartThreeAsync(ServerProcesses servers)
    {
        var a = await StartAsync(servers, "a");
        await Poll.UntilAsync(() => ServerProcesses.ControllerAsync(a.Api), c => c?.Leader == true, TimeSpan.FromSeconds(30), "a to lead");
        return (a, await StartAsync(servers, "b"), await StartAsync(servers, "c"));
    }

    private static Task<(LocalController Process, Uri Api, int XdsPort)> StartAsync(ServerProcesses servers, string name) =>
        servers.StartAsync(name, "--convergence-timeout", "2s", "--retry-delay", "500ms", "--max-retry-delay", "1s");

    private static async Task ActAsync(Uri api, string id, string action)
    {
        using var http = ServerProcesses.Client(TimeSpan.FromSeconds(30));
        using var answer = await http.PostAsJsonAsync(new Uri(api, $"api/v1/releases/{id}/{action}"), new { actor = "test" });
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
    }

    private static async Task<IReadOnlyList<ControlPlane.Reports.MeshProxy>> ProxiesAsync(Uri api, Func<IReadOnlyList<ControlPlane.Reports.MeshProxy>, bool> done, string what) =>
        (await Poll.UntilAsync(
            async () =>
            {
                using var http = ServerProcesses.Client(TimeSpan.FromSeconds(5));
                return (await http.GetFromJsonAsync<ControlPlane.Reports.MeshStatus>(new Uri(api, "api/v1/proxies"), JsonSerializerOptions.Web))!.Proxies;
            },
            done,
            TimeSpan.FromSeconds(30),
            what))!;

    /// <summary>The canary's weight in a route configuration sent to a proxy; null for any other answer.</summary>
    private static uint? CanaryWeight(Envoy.Service.Discovery.V3.DiscoveryResponse response) =>
        response.TypeUrl != Xds.Translation.TypeUrls.Route
            ? null
            : response.Resources.Select(r => r.Unpack<Envoy.Config.Route.V3.RouteConfiguration>())
                .SelectMany(c => c.VirtualHosts).SelectMany(h => h.Routes)
                .SelectMany(r => r.Route_?.WeightedClusters?.Clusters ?? [])
                .FirstOrDefault(c => c.Name == $"outbound|8080|canary|{Service}")?.Weight;

    /// <summary>The canary's weight in the service's routes, and the revision that wrote it.</summary>
    private async Task<(int Weight, long Revision)> CanaryWeightAsync()
    {
        var key = _etcd!.Keys.Document(Core.Documents.DocumentKind.VirtualService, Service);
        var kv = (await _etcd.GetAsync(key, default)).Kvs.SingleOrDefault();
        if (kv is null)
        {
            return (0, 0);
        }

        var routes = (Core.Networking.VirtualService)DocumentParser.ParseJson(kv.Value.ToStringUtf8(), key).Documents[0].Document;
        return (routes.Spec.Http[^1].Route.SingleOrDefault(r => r.Destination.Subset == "canary")?.Weight ?? 0, kv.ModRevision);
    }
}
