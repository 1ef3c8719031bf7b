using System.Net.Http.Headers;
using System.Net.Http.Json;
using LightMesh.Processes;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Parsing;
using LightMesh.Core.Security;
using LightMesh.Deployer;
using LightMesh.Deployer.Revisions;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests.Chaos;

/// <summary>
/// A mesh for releases under fire: its own etcd (which a test can stop and start again), a Prometheus backfilled with
/// an error ratio per version (versions starting g are healthy, b failing, u neither), two nodes whose container
/// engines are simulated in etcd, the services deployed on both, and controllers run as processes a test can kill.
/// Every container a node runs registers as an instance, as a real one would.
/// </summary>
public sealed class SimulatedMesh : IAsyncDisposable
{
    public const string Prefix = "/lightmesh/";
    public const string Simulation = "/simulation/";
    public const string Template = "error-ratio";
    public static readonly string[] Nodes = ["node-1", "node-2"];
    public static readonly TimeSpan ProgressDeadline = TimeSpan.FromSeconds(30);

    private static readonly string Token = TokenHash.NewToken();
    private readonly Dictionary<string, (LocalProcess? Process, Uri Api)> _controllers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, InstanceRegistration> _registered = [];
    private readonly string _logs = Directory.CreateTempSubdirectory("lightmesh-chaos-").FullName;
    private Task _registrar = Task.CompletedTask;

    private SimulatedMesh(EtcdServer etcd, PrometheusServer prometheus)
    {
        Etcd = etcd;
        Prometheus = prometheus;
        Store = new EtcdConnection(new EtcdOptions { Endpoints = etcd.Endpoint, Prefix = Prefix }, TimeProvider.System);
    }

    public EtcdServer Etcd { get; }
    public PrometheusServer Prometheus { get; }
    public EtcdConnection Store { get; }
    public ReleaseStore Releases => new(Store);
    public IReadOnlyCollection<string> Controllers => _controllers.Keys;

    /// <param name="services">Each service and the workflow steps its releases follow.</param>
    /// <param name="versions">How many versions of each class (g, b, u) Prometheus knows for every service.</param>
    public static async Task<SimulatedMesh> StartAsync(IReadOnlyDictionary<string, string> services, int versions)
    {
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30);
        var times = OpenMetrics.Times(end - TimeSpan.FromMinutes(5), end, TimeSpan.FromSeconds(30)).ToList();
        var metrics = new OpenMetrics();
        foreach (var service in services.Keys)
        {
            for (var n = 1; n <= versions; n++)
            {
                metrics.Gauge("error_ratio", $"service=\"{service}\",version=\"g{n}\"", times, _ => 0.01)
                    .Gauge("error_ratio", $"service=\"{service}\",version=\"b{n}\"", times, _ => 0.4)
                    .Gauge("error_ratio", $"service=\"{service}\",version=\"u{n}\"", times, _ => 0.1);
            }
        }

        var mesh = new SimulatedMesh(await EtcdServer.StartAsync(), await PrometheusServer.StartAsync(metrics.ToString()));
        await mesh.ApplyAsync(Documents(services));
        var deployer = new NodeDeployer(new DocumentStore(mesh.Store), new NodeRevisionStore(mesh.Store, TimeProvider.System),
            node => new SimulatedNodeEngine(mesh.Store, Simulation, node), TimeProvider.System, new DeployerOptions { EtcdEndpoints = mesh.Etcd.Endpoint });
        foreach (var node in Nodes)
        {
            var applied = await deployer.ApplyAsync(node, [], null, default);
            Assert.True(applied.Outcome == DeployOutcome.Applied, string.Join("; ", applied.Errors));
        }

        mesh._registrar = mesh.RegisterContainersAsync(mesh._stop.Token);
        return mesh;
    }

    /// <summary>Starts (or starts again) the controller named <paramref name="name"/>.</summary>
    public async Task StartControllerAsync(string name)
    {
        var api = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        string[] args =
        [
            Path.Combine(AppContext.BaseDirectory, "LightMesh.SimulatedController.dll"), "--etcd", Etcd.Endpoint, "--prefix", Prefix,
            "--simulation", Simulation, "--name", name, "--listen", api.ToString().TrimEnd('/'), "--xds-listen", $"127.0.0.1:{LoopbackPort.Free()}",
            "--prometheus", Prometheus.Address.ToString(), "--token-sha256", TokenHash.HexOf(Token),
        ];
        var process = await LocalProcess.StartAsync(
            new LocalProcessOptions { Name = $"the controller {name}", Executable = "dotnet", Arguments = args, KeptLines = 100_000, StopTimeout = TimeSpan.Zero },
            Readiness.Answers(new Uri(api, "healthz"), TimeSpan.FromSeconds(60)),
            CancellationToken.None);
        _controllers[name] = (process, api);
    }

    /// <summary>Kills the controller as a crash would (SIGKILL); what it logged is kept in its file under <see cref="Logs"/>.</summary>
    public async Task KillControllerAsync(string name)
    {
        var (process, api) = _controllers[name];
        if (process is not null)
        {
            await process.DisposeAsync();
            await File.AppendAllTextAsync(Path.Combine(_logs, $"{name}.log"), process.Output);
        }

        _controllers[name] = (null, api);
    }

    /// <summary>The folder with each controller's log, every life of it one after the other.</summary>
    public string Logs => _logs;

    public bool IsRunning(string name) => _controllers[name].Process is not null;

    /// <summary>The API of a running controller, the first one if <paramref name="preferred"/> is not running.</summary>
    public Uri Api(int preferred)
    {
        var running = _controllers.Values.Where(c => c.Process is not null).Select(c => c.Api).ToList();
        return running.Count == 0 ? _controllers.Values.First().Api : running[preferred % running.Count];
    }

    /// <summary>
    /// What etcd holds of a release's workflow, to see why one stalled: the instance's execution pointers, whether it is
    /// runnable and locked, its subscriptions, and the events for it still unprocessed.
    /// </summary>
    public async Task<string> WorkflowOfAsync(string releaseId)
    {
        var keys = Store.Keys;
        var lines = new List<string> { $"workflow of {releaseId}:" };
        var instance = await Store.GetAsync(keys.WorkflowInstance(releaseId), default);
        lines.Add(instance.Kvs.Count == 0 ? "  no instance" : $"  instance (mod {instance.Kvs[0].ModRevision}): {Shorten(instance.Kvs[0].Value.ToStringUtf8())}");
        var runnable = await Store.GetAsync(keys.RunnableWorkflow(releaseId), default);
        lines.Add(runnable.Kvs.Count == 0 ? "  not runnable" : $"  runnable: {runnable.Kvs[0].Value.ToStringUtf8()}");
        var locked = await Store.GetAsync(keys.WorkflowLock(releaseId), default);
        lines.Add(locked.Kvs.Count == 0 ? "  not locked" : $"  locked by {locked.Kvs[0].Value.ToStringUtf8()} under lease {locked.Kvs[0].Lease} since {locked.Kvs[0].CreateRevision}");
        foreach (var subscription in (await Store.RangePrefixAsync(keys.WorkflowSubscriptions, 0, default)).Kvs.Select(kv => kv.Value.ToStringUtf8()).Where(v => v.Contains(releaseId, StringComparison.Ordinal)))
        {
            lines.Add($"  subscription: {Shorten(subscription)}");
        }

        var events = (await Store.RangePrefixAsync(keys.WorkflowEvents, 0, default)).Kvs.Select(kv => kv.Value.ToStringUtf8()).Where(v => v.Contains(releaseId, StringComparison.Ordinal)).ToList();
        var unprocessed = events.Where(e => e.Contains("\"IsProcessed\":false", StringComparison.OrdinalIgnoreCase) || e.Contains("\"isProcessed\":false", StringComparison.Ordinal)).ToList();
        lines.Add($"  events: {events.Count}, unprocessed {unprocessed.Count}{(unprocessed.Count > 0 ? $"; first unprocessed: {Shorten(unprocessed[0])}" : "")}");
        foreach (var error in (await Store.RangePrefixAsync(keys.WorkflowErrors, 0, default)).Kvs.Select(kv => kv.Value.ToStringUtf8()).Where(v => v.Contains(releaseId, StringComparison.Ordinal)).TakeLast(3))
        {
            lines.Add($"  error: {Shorten(error)}");
        }

        return string.Join("\n", lines);

        static string Shorten(string text) => text.Length > 1500 ? text[..1500] + "…" : text;
    }

    /// <summary>Who leads the release engine, as etcd says; null while nobody does (or etcd is away).</summary>
    public async Task<string?> LeaderAsync()
    {
        try
        {
            var leader = await Store.GetAsync(Store.Keys.Leader(Leadership.ReleaseEngine.Election), default);
            return leader.Count == 0 ? null : leader.Kvs[0].Value.ToStringUtf8();
        }
        catch (Core.ServerUnreachableException)
        {
            return null;
        }
    }

    public static HttpClient Client() =>
        new() { Timeout = TimeSpan.FromSeconds(10), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };

    /// <summary>Posts <paramref name="body"/> to a running controller's <paramref name="path"/>: the status, or 0 when none answered.</summary>
    public async Task<(int Status, string Body)> PostAsync(int preferred, string path, object body, string? idempotencyKey = null)
    {
        using var http = Client();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Api(preferred), path)) { Content = JsonContent.Create(body) };
            if (idempotencyKey is not null)
            {
                request.Headers.Add(ReleaseEndpoints.IdempotencyHeader, idempotencyKey);
            }

            using var response = await http.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, e.Message);
        }
    }

    /// <summary>What a node runs now.</summary>
    public Task<IReadOnlyList<SimulatedContainer>> RunningAsync(string node) => SimulatedNodeEngine.RunningAsync(Store, Simulation, node, default);

    public Task PlantAsync(string node, SimulatedFault fault) => SimulatedNodeEngine.PlantAsync(Store, Simulation, node, fault, default);

    public async Task<Document?> DocumentAsync(DocumentKind kind, string name) => await new DocumentStore(Store).GetAsync(kind, name, default);

    public async Task ApplyAsync(string yaml)
    {
        var parsed = DocumentParser.Parse(yaml, "mesh.yaml");
        Assert.Empty(parsed.Errors);
        var written = await new DocumentStore(Store).ApplyAsync(parsed.Documents, default);
        Assert.True(written.Outcome == WriteOutcome.Applied, string.Join("; ", written.Errors) + written.Message);
    }

    /// <summary>Where a failure's report finds what the controllers logged, and the last of it.</summary>
    public string Output() =>
        $"the controllers' logs: {_logs}\n" + string.Join("\n", _controllers.Select(c => $"--- {c.Key}, last lines:\n{Tail(c.Value.Process?.Output ?? "(not running)")}"));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _registrar;
        foreach (var name in _controllers.Keys.ToList())
        {
            await KillControllerAsync(name);
        }

        foreach (var registration in _registered.Values)
        {
            await registration.StopAsync(revoke: false, default);
        }

        Store.Dispose();
        await Prometheus.DisposeAsync();
        await Etcd.DisposeAsync();
        _stop.Dispose();
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    private static string Documents(IReadOnlyDictionary<string, string> services)
    {
        var documents = new List<string>
        {
            $$$"""
            apiVersion: lightmesh.io/v1
            kind: AnalysisTemplate
            metadata: {name: {{{Template}}}}
            spec:
              metrics:
              - name: error-ratio
                provider:
                  prometheus:
                    query: 'last_over_time(error_ratio{service="{{service}}",version="{{canary}}"}[1d])'
                interval: 1s
                count: 1
                successCondition: result < 0.05
                failureCondition: result > 0.2
            """,
        };
        documents.AddRange(Nodes.Select(node => $"apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {{name: {node}}}\nspec: {{address: 127.0.0.1}}"));
        var port = 31000;
        foreach (var (service, steps) in services)
        {
            documents.Add($$"""
                apiVersion: lightmesh.io/v1
                kind: Service
                metadata: {name: {{service}}}
                spec:
                  protocol: http
                  port: {{port += 1000}}
                  deploy:
                    image: simulated/{{service}}
                    versions: {stable: v0}
                ---
                apiVersion: lightmesh.io/v1
                kind: ReleaseWorkflow
                metadata: {name: {{service}}}
                spec:
                  progressDeadline: {{(int)ProgressDeadline.TotalSeconds}}s
                {{steps}}
                """);
        }

        return string.Join("\n---\n", documents);
    }

    /// <summary>Stands in for the services' own registration: every container a node runs is a live instance while it runs.</summary>
    private async Task RegisterContainersAsync(CancellationToken stop)
    {
        var registry = new InstanceRegistry(Store, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var running = new Dictionary<string, (string Node, SimulatedContainer Container)>();
                foreach (var node in Nodes)
                {
                    foreach (var container in await RunningAsync(node))
                    {
                        running[$"{node}-{container.ComposeService}"] = (node, container);
                    }
                }

                foreach (var (id, (_, container)) in running.Where(r => !_registered.ContainsKey(r.Key)))
                {
                    var instance = new Instance
                    {
                        Service = container.Service, Id = id, Version = container.Version, Address = "127.0.0.1", Port = container.Port,
                        Labels = new Dictionary<string, string> { ["version"] = container.Version },
                    };
                    if ((await registry.RegisterAsync(instance, TimeSpan.FromSeconds(10), stop)).Registration is { } registration)
                    {
                        _registered[id] = registration;
                    }
                }

                foreach (var gone in _registered.Keys.Except(running.Keys).ToList())
                {
                    await _registered[gone].StopAsync(revoke: true, stop);
                    _registered.Remove(gone);
                }
            }
            catch (Exception e) when (e is Core.LightMeshException && !stop.IsCancellationRequested)
            {
                // etcd is away for a moment: look again.
            }

            await Task.Delay(100, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
