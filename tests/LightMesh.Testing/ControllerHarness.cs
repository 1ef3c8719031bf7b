using LightMesh.Processes;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Security;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Host;
using LightMesh.Host.Security;
using LightMesh.Releases;
using LightMesh.Releases.Requests;

namespace LightMesh.Testing;

/// <summary>
/// A real controller in process (release engine, xDS control plane, HTTP API) on its own etcd prefix, with a real
/// Prometheus backfilled with one error ratio per version: v2 healthy (0.01), v3 failing (0.4), v5 neither (0.1).
/// </summary>
public sealed class ControllerHarness : IAsyncDisposable
{
    public const string Template = """
        apiVersion: lightmesh.io/v1
        kind: AnalysisTemplate
        metadata: {name: error-ratio}
        spec:
          metrics:
          - name: error-ratio
            provider:
              prometheus:
                query: 'error_ratio{service="{{service}}",version="{{canary}}"}'
            interval: 1s
            count: 1
            successCondition: result < 0.05
            failureCondition: result > 0.2
        """;

    /// <summary>An admin's token (held by "test"), configured (as its hash) on every harness's controller.</summary>
    public static readonly string Token = TokenHash.NewToken();

    /// <summary>A viewer's token (held by "vera"), configured on every harness's controller.</summary>
    public static readonly string ViewerToken = TokenHash.NewToken();

    /// <summary>The Grafana the console links releases to (<c>--grafana</c>); only linked to, never asked.</summary>
    public const string Grafana = "http://127.0.0.1:3000/grafana";

    /// <summary>An operator's token (held by "otto"), configured on every harness's controller.</summary>
    public static readonly string OperatorToken = TokenHash.NewToken();

    private readonly List<InstanceRegistration> _instances = [];

    private ControllerHarness(EtcdConnection etcd, ControllerServer server, PrometheusServer prometheus, Uri api, int xdsPort, string prefix)
    {
        XdsPort = xdsPort;
        Prefix = prefix;
        Etcd = etcd;
        Server = server;
        Prometheus = prometheus;
        Api = api;
    }

    public string Prefix { get; }

    public EtcdConnection Etcd { get; }
    public ControllerServer Server { get; }
    public PrometheusServer Prometheus { get; }
    public Uri Api { get; }

    /// <summary>The controller's xDS (ADS) port on 127.0.0.1.</summary>
    public int XdsPort { get; }
    public ReleaseService Releases => Server.Releases;
    public ReleaseGroups Groups => Server.Groups;
    public DocumentStore Documents => new(Etcd);

    /// <param name="runReleases">False for an API-only controller: releases start and are stored, but nothing runs them and no schedule fires.</param>
    /// <param name="prefix">The etcd prefix to run on, to start a controller where another ran; a new one by default.</param>
    /// <param name="engine">Changes to the test engine's options (timeouts, drain, retention, intervals), for a test that needs others.</param>
    public static async Task<ControllerHarness> StartAsync(EtcdFixture etcd, bool runReleases = true, string? prefix = null, Func<ReleaseEngineOptions, ReleaseEngineOptions>? engine = null)
    {
        prefix ??= etcd.NewPrefix();
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30);
        var times = OpenMetrics.Times(end - TimeSpan.FromMinutes(10), end, TimeSpan.FromSeconds(10)).ToList();
        var metrics = new OpenMetrics();
        foreach (var service in new[] { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta" })
        {
            metrics.Gauge("error_ratio", $"service=\"{service}\",version=\"v2\"", times, _ => 0.01)
                .Gauge("error_ratio", $"service=\"{service}\",version=\"v3\"", times, _ => 0.4)
                .Gauge("error_ratio", $"service=\"{service}\",version=\"v4\"", times, _ => 0.01)
                .Gauge("error_ratio", $"service=\"{service}\",version=\"v5\"", times, _ => 0.1);
        }

        var prometheus = await PrometheusServer.StartAsync(metrics.ToString());
        var api = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        var options = new ControllerOptions
        {
            Listen = api.ToString().TrimEnd('/'),
            XdsListen = $"127.0.0.1:{LoopbackPort.Free()}",
            AllowAnonymousProxies = true,
            RunReleases = runReleases,
            Grafana = Grafana,
            Engine = (engine ?? (o => o))(new ReleaseEngineOptions
            {
                LeaseTtl = TimeSpan.FromSeconds(3), PollInterval = TimeSpan.FromMilliseconds(100), DrainDelay = TimeSpan.Zero,
                ConvergenceTimeout = TimeSpan.FromSeconds(5), DeployTimeout = TimeSpan.FromSeconds(5), BackgroundInterval = TimeSpan.FromMilliseconds(200),
                RecheckInterval = TimeSpan.FromSeconds(2), RetryDelay = TimeSpan.FromMilliseconds(500), MaxRetryDelay = TimeSpan.FromSeconds(2), Prometheus = prometheus.Address,
                ScheduleInterval = TimeSpan.FromMilliseconds(200), GroupInterval = TimeSpan.FromMilliseconds(200), PhaseCountInterval = TimeSpan.FromSeconds(1),
                Candidate = $"test-{Guid.NewGuid():N}",
            }),
            Settings = new[] { TokenSettings(0, "test", Roles.Admin, Token), TokenSettings(1, "vera", Roles.Viewer, ViewerToken), TokenSettings(2, "otto", Roles.Operator, OperatorToken) }
                .SelectMany(t => t).ToDictionary(),
        };
        var connection = etcd.Connect(prefix);
        var server = await ControllerServer.StartAsync(new EtcdOptions { Endpoints = etcd.Endpoint, Prefix = prefix }, options, Logging, default);
        var harness = new ControllerHarness(connection, server, prometheus, api, options.XdsEndpoint.Port, prefix);
        await harness.ApplyAsync(Template);
        return harness;
    }

    /// <summary>The configuration keys of token <paramref name="index"/>: its holder, role and SHA-256.</summary>
    public static Dictionary<string, string?> TokenSettings(int index, string name, string role, string token) => new()
    {
        [$"LightMesh:Auth:Tokens:{index}:Name"] = name,
        [$"LightMesh:Auth:Tokens:{index}:Role"] = role,
        [$"LightMesh:Auth:Tokens:{index}:Sha256"] = TokenHash.HexOf(token),
    };

    /// <summary>Set LIGHTMESH_TEST_LOG=1 to see the controller's log while debugging a test.</summary>
    private static Action<Microsoft.Extensions.Logging.ILoggingBuilder>? Logging =>
        Environment.GetEnvironmentVariable("LIGHTMESH_TEST_LOG") is "1"
            ? logging => Microsoft.Extensions.Logging.ConsoleLoggerExtensions.AddSimpleConsole(logging, o => o.SingleLine = true)
            : null;

    public Task ApplyAsync(string yaml) => ApplyAsync(Etcd, yaml);

    /// <summary>
    /// A proxy that connects once the control plane has published every document as stored now: a release step no
    /// proxy waits for does not wait for the snapshot either, so one connected right after it could be answered from an
    /// older snapshot and then pushed the new one while it subscribes.
    /// </summary>
    public async Task<AdsTestClient> ProxyAsync(string nodeId)
    {
        var written = (await Documents.ReadAsync(default)).Documents.Max(d => d.ModRevision);
        await Poll.UntilAsync(() => Task.FromResult(Server.Mesh.Status().Revision), published => published >= written, TimeSpan.FromSeconds(10), $"a snapshot from revision {written}");
        return new AdsTestClient(XdsPort, nodeId);
    }

    /// <summary>Parses <paramref name="yaml"/> and writes it all through the document store, failing the test on any error.</summary>
    public static async Task ApplyAsync(EtcdConnection etcd, string yaml)
    {
        var parsed = DocumentParser.Parse(yaml, "test.yaml");
        Assert.Empty(parsed.Errors);

        // A running engine writes routes too; a write that lost the race is read again and retried, as the store says.
        var written = await new DocumentStore(etcd).ApplyAsync(parsed.Documents, default);
        for (var retry = 0; retry < 5 && written.Outcome == WriteOutcome.Conflict; retry++)
        {
            written = await new DocumentStore(etcd).ApplyAsync(parsed.Documents, default);
        }

        Assert.True(written.Outcome == WriteOutcome.Applied, string.Join("; ", written.Errors) + written.Message);
    }

    /// <summary>
    /// A Service without a deploy section, its DestinationRule saying v1 is stable, and a workflow <c>{service}-flow</c>
    /// of these steps (lines indented two spaces) and these workflow-level settings.
    /// </summary>
    public static string ServiceDocuments(string service, string workflowSteps, string? workflowExtra = null) => TestMeshes.Join(
        TestMeshes.Service(service),
        TestMeshes.Rule(service, [new("stable", "v1")]),
        TestMeshes.Workflow($"{service}-flow", workflowSteps, workflowExtra));

    /// <summary>
    /// A service without a deploy section whose DestinationRule says v1 is stable, with a live instance of each version,
    /// and a workflow of these steps.
    /// </summary>
    public async Task ServiceAsync(string service, string workflowSteps, string? workflowExtra = null, params string[] versions)
    {
        await ApplyAsync(ServiceDocuments(service, workflowSteps, workflowExtra));
        await InstancesAsync(service, versions);
    }

    /// <summary>Registers a live instance of each version (v1..v5 by default) of <paramref name="service"/>, kept until the harness ends.</summary>
    public async Task InstancesAsync(string service, params string[] versions)
    {
        var registry = new InstanceRegistry(Etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        var port = 20000;
        foreach (var version in versions.Length == 0 ? ["v1", "v2", "v3", "v4", "v5"] : versions)
        {
            var instance = new Instance { Service = service, Id = $"{service}-{version}", Version = version, Address = "127.0.0.1", Port = port++, Labels = new Dictionary<string, string> { ["version"] = version } };
            var outcome = await registry.RegisterAsync(instance, TimeSpan.FromSeconds(10), default);
            Assert.True(outcome.Succeeded, outcome.Conflict);
            _instances.Add(outcome.Registration!);
        }
    }

    public async Task<ReleaseState> StartAsync(string service, string version, bool supersede = false)
    {
        var started = await Releases.StartAsync(new StartRequest { Service = service, Version = version, Workflow = $"{service}-flow", Actor = "test", Supersede = supersede }, default);
        Assert.True(started.Outcome == ReleaseOutcome.Done, string.Join("; ", started.Errors));
        return started.Release!;
    }

    public Task<ReleaseState> WaitAsync(string id, Func<ReleaseState, bool> done, string what, int seconds = 30) =>
        Poll.UntilAsync(async () => (await Releases.GetAsync(id, default))!, done, TimeSpan.FromSeconds(seconds), $"release {id}: {what}");

    public Task<ReleaseState> WaitForPhaseAsync(string id, ReleasePhase phase, int seconds = 30) =>
        WaitAsync(id, r => r.Phase == phase, phase.ToString(), seconds);

    /// <summary>The version the stable subset of the service's DestinationRule selects.</summary>
    public async Task<string> StableVersionAsync(string service) =>
        Assert.IsType<DestinationRule>(await Documents.GetAsync(Core.Documents.DocumentKind.DestinationRule, service, default)).Spec.Subsets.Single(s => s.Name == "stable").Labels["version"];

    /// <summary>The weights of the service's default route, by subset.</summary>
    public async Task<IReadOnlyDictionary<string, int>> WeightsAsync(string service)
    {
        var routes = (await Documents.ListAsync(Core.Documents.DocumentKind.VirtualService, default)).OfType<VirtualService>().Single(v => v.Spec.Hosts.Contains(service));
        return routes.Spec.Http[^1].Route.ToDictionary(r => r.Destination.Subset!, r => r.Weight ?? 100);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Prometheus.DisposeAsync();
        Etcd.Dispose();
    }
}
