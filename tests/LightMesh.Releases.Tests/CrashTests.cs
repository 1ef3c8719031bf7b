using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Host.Api;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A controller killed with SIGKILL in the middle of a release, and another started: the release continues from the
/// same step, a timed pause ends at its original deadline, and the event log has every transition exactly once.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class CrashTests(EtcdFixture etcd) : IAsyncLifetime
{
    private static readonly string[] Transitions =
        ["started", "deploy done", "setWeight done", "pausing", "pause done", "analysis done", "setWeight done", "promoting", "succeeded"];

    private readonly string _prefix = etcd.NewPrefix();
    private readonly List<InstanceRegistration> _instances = [];
    private EtcdConnection? _etcd;
    private PrometheusServer? _prometheus;

    public async Task InitializeAsync()
    {
        _etcd = etcd.Connect(_prefix);
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30);
        var times = OpenMetrics.Times(end - TimeSpan.FromMinutes(10), end, TimeSpan.FromSeconds(10)).ToList();
        _prometheus = await PrometheusServer.StartAsync(new OpenMetrics().Gauge("error_ratio", "service=\"crash\",version=\"v2\"", times, _ => 0.01).ToString());
        var parsed = DocumentParser.Parse(
            TestMeshes.Join(
                ControllerHarness.Template.Replace("count: 1", "count: 4", StringComparison.Ordinal),
                ControllerHarness.ServiceDocuments("crash", """
                      - deploy: {}
                      - setWeight: 20
                      - pause: {duration: 8s}
                      - analysis: {templates: [error-ratio]}
                      - setWeight: 50
                      - promote: {}
                    """)),
            "crash.yaml");
        Assert.Empty(parsed.Errors);
        await new DocumentStore(_etcd).ApplyAsync(parsed.Documents, default);
        await RegisterAsync("v1", 21001);
    }

    private async Task RegisterAsync(string version, int port)
    {
        var registry = new InstanceRegistry(_etcd!, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        var outcome = await registry.RegisterAsync(new Instance { Service = "crash", Id = version, Version = version, Address = "127.0.0.1", Port = port, Labels = new Dictionary<string, string> { ["version"] = version } }, TimeSpan.FromSeconds(10), default);
        _instances.Add(outcome.Registration!);
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await _prometheus!.DisposeAsync();
        _etcd!.Dispose();
    }

    [Fact]
    public async Task KilledDuringSetWeightTimedPauseAndAnalysis_TheReleaseContinuesWhereItWas()
    {
        await using var servers = new ServerProcesses(etcd, _prefix, _prometheus!.Address);

        // The first controller gets a proxy that ACKs until the deploy step waits for the canary to register, and never
        // again after, so the setWeight that follows waits for convergence until the controller is killed.
        var (first, firstApi, xdsPort) = await servers.StartAsync("first", "--convergence-timeout", "2m");
        string id;
        await using (var proxy = new AdsTestClient(xdsPort, "proxy"))
        {
            using var acking = new CancellationTokenSource();
            _ = AckUntilAsync(proxy, acking.Token);
            id = (await ServerProcesses.StartReleaseAsync(firstApi, "crash", "v2", "crash-flow")).Id;
            var routesKey = _etcd!.Keys.Document(Core.Documents.DocumentKind.VirtualService, "crash");
            var prepared = await Poll.UntilAsync(() => _etcd.GetAsync(routesKey, default), r => r.Count == 1, TimeSpan.FromSeconds(30), "the prepared routes");
            await Poll.UntilAsync(() => ProxyRevisionAsync(firstApi), r => r >= prepared.Kvs[0].ModRevision, TimeSpan.FromSeconds(30), "the proxy to ACK the prepared routes");
            await acking.CancelAsync();
            await RegisterAsync("v2", 21002);

            await Poll.UntilAsync(WeightsAsync, w => w.GetValueOrDefault("canary") == 20, TimeSpan.FromSeconds(30), "the setWeight write");
            Assert.Equal("setWeight", (await ServerProcesses.GetAsync(firstApi, id))!.StepType);
            await first.DisposeAsync();
        }

        // The proxy that was on the first controller connects to the second: until it does, the second cannot know what it
        // holds, and the setWeight step waits for it.
        var (second, secondApi, secondXds) = await servers.StartAsync("second");
        ReleaseView paused;
        await using (var moved = new AdsTestClient(secondXds, "proxy"))
        {
            using var acking = new CancellationTokenSource();
            _ = AckUntilAsync(moved, acking.Token);
            paused = await ServerProcesses.WaitAsync(secondApi, id, r => r.PauseUntil is not null, "the timed pause, after the first crash");
            await acking.CancelAsync();
        }

        // It leaves before the second controller is killed (a proxy of a killed controller stays unknown until it connects
        // elsewhere), once the second's report in etcd says so.
        await Poll.UntilAsync(
            () => _etcd!.GetAsync(_etcd.Keys.ControlPlane("second"), default),
            r => r.Kvs.Count == 1 && ControlPlane.Reports.ControllerReport.Read(r.Kvs[0].Value.ToStringUtf8())?.Proxies.Count == 0,
            TimeSpan.FromSeconds(10),
            "the second controller to report that the proxy left");
        await second.DisposeAsync();

        var (third, thirdApi, _) = await servers.StartAsync("third");
        var analysing = await ServerProcesses.WaitAsync(thirdApi, id, r => r.StepType == "analysis", "the analysis, after the second crash");
        var pauseEnded = analysing.Events.Single(e => e.Action == "pause done").At;
        Assert.InRange(pauseEnded, paused.PauseUntil!.Value, paused.PauseUntil.Value + TimeSpan.FromSeconds(4));
        await third.DisposeAsync();

        var (_, lastApi, _) = await servers.StartAsync("fourth");
        var done = await ServerProcesses.WaitAsync(lastApi, id, r => r.Phase == ReleasePhase.Succeeded, "success, after the third crash", 60);

        Assert.Equal(Transitions, done.Events.Select(e => e.Action));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await WeightsAsync());
    }

    /// <summary>
    /// Killed while the promotion holds its rollback window: the next controller holds the same window (same end), and a
    /// rollback sent to it moves all the traffic back to the old version, which never stopped being stable.
    /// </summary>
    [Fact]
    public async Task KilledInsideTheRollbackWindow_TheNextControllerHoldsItAndRollsBackOnCommand()
    {
        var workflow = DocumentParser.Parse(TestMeshes.Workflow("window-flow", "  - deploy: {}\n  - setWeight: 20\n  - promote: {}\n", "  rollbackWindow: {duration: 10m}"), "window.yaml");
        Assert.Empty(workflow.Errors);
        await new DocumentStore(_etcd!).ApplyAsync(workflow.Documents, default);
        await RegisterAsync("v2", 21002);
        await using var servers = new ServerProcesses(etcd, _prefix, _prometheus!.Address);

        var (first, firstApi, _) = await servers.StartAsync("first");
        var id = (await ServerProcesses.StartReleaseAsync(firstApi, "crash", "v2", "window-flow")).Id;
        var held = await ServerProcesses.WaitAsync(firstApi, id, r => r.Promotion == PromotionMove.PreviousKept, "the rollback window");
        await first.DisposeAsync();

        var (_, secondApi, _) = await servers.StartAsync("second");
        var still = await ServerProcesses.WaitAsync(secondApi, id, r => r.Promotion == PromotionMove.PreviousKept, "the window, after the crash");
        Assert.Equal((ReleasePhase.Progressing, held.PauseUntil), (still.Phase, still.PauseUntil));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 0, ["canary"] = 100 }, await WeightsAsync());

        using (var http = ServerProcesses.Client(TimeSpan.FromSeconds(30)))
        using (var rollback = await http.PostAsync(new Uri(secondApi, "api/v1/services/crash/rollback"), null))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, rollback.StatusCode);
        }

        var done = await ServerProcesses.WaitAsync(secondApi, id, r => r.Phase == ReleasePhase.RolledBack, "the rollback, on the second controller");
        Assert.Equal("rolled back by api inside the rollback window", done.RollingBack);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await WeightsAsync());
        Assert.Single(done.Events, e => e.Action == ReleaseEvents.PreviousKept);
    }

    /// <summary>Subscribes like a proxyless gRPC client of the service and ACKs everything until told to stop.</summary>
    private static async Task AckUntilAsync(AdsTestClient proxy, CancellationToken stop)
    {
        string[] clusters = ["outbound|8080|stable|crash", "outbound|8080|canary|crash"];
        var names = new Dictionary<string, string[]>
        {
            [Xds.Translation.TypeUrls.Listener] = ["crash:8080"],
            [Xds.Translation.TypeUrls.Route] = ["8080"],
            [Xds.Translation.TypeUrls.Cluster] = clusters,
            [Xds.Translation.TypeUrls.Endpoint] = clusters,
        };
        foreach (var (type, subscribed) in names)
        {
            await proxy.SendAsync(type, names: subscribed);
        }

        while (!stop.IsCancellationRequested)
        {
            var response = await proxy.ReceiveAsync(TimeSpan.FromMinutes(1));
            if (!stop.IsCancellationRequested)
            {
                await proxy.AckAsync(response, names[response.TypeUrl]);
            }
        }
    }

    private static async Task<long> ProxyRevisionAsync(Uri api)
    {
        using var http = ServerProcesses.Client(TimeSpan.FromSeconds(5));
        var status = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, new Uri(api, "status"));
        return status.GetProperty("proxies").EnumerateArray().Select(p => p.GetProperty("convergedRevision").GetInt64()).DefaultIfEmpty(0).Min();
    }

    private async Task<IReadOnlyDictionary<string, int>> WeightsAsync()
    {
        var routes = (await new DocumentStore(_etcd!).ListAsync(Core.Documents.DocumentKind.VirtualService, default)).OfType<VirtualService>().SingleOrDefault();
        return routes?.Spec.Http[^1].Route.ToDictionary(r => r.Destination.Subset!, r => r.Weight ?? 100) ?? new Dictionary<string, int>();
    }
}
