using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Grpc.Net.Client;
using LightMesh.Cli;
using LightMesh.Cli.Commands;
using LightMesh.Cli.Output;
using LightMesh.Core;
using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Leases;
using LightMesh.Etcd.Releases;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Bench;

/// <summary>
/// <c>lightmesh-bench rollback</c>: N releases held in their rollback window (the new version takes all the traffic, the
/// old one still runs) on one controller, with P simulated proxies that use every service; then each is rolled back in
/// turn, and the time from the rollback command to the last proxy's ACK of the routes that give the old version all the
/// traffic is measured, beside the time from a plain etcd route write to the last ACK (one convergence) in the same run.
/// </summary>
public sealed class BenchRollbackCommand : AsyncCommand<BenchRollbackCommand.Settings>
{
    public const string Workflow = "bench-window";
    private const string Reference = "bench-ref";
    private const int ProxiesPerConnection = 50;
    private const int WarmUp = 3;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    // Before each timed write: three times the control plane's debounce quiet without a mesh write, so each timed write
    // is the first of its burst, as a lone write (or an operator's rollback) is, and neither times the other's burst.
    private static readonly TimeSpan QuietGap = TimeSpan.FromMilliseconds(300);

    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--releases <N>")]
        [Description("Releases held in their window, each rolled back and timed (the first 3 untimed). Default: 33")]
        public int Releases { get; init; } = 33;

        [CommandOption("--proxies <P>")]
        [Description("Simulated proxyless clients, each using every service. Default: 100")]
        public int Proxies { get; init; } = 100;

        [CommandOption("--server-log <FILE>")]
        [Description("Write the controller's log there")]
        public string? ServerLog { get; init; }

        public override ValidationResult Validate() =>
            Releases is < WarmUp + 1 or > 500 ? ValidationResult.Error($"--releases: must be {WarmUp + 1}..500")
            : Proxies is < 1 or > 2000 ? ValidationResult.Error("--proxies: must be 1..2000")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (etcdOptions, etcd) = await BenchPrefix.OpenAsync(settings.ToEtcdOptions(), cancellationToken);
        using var _ = etcd;
        try
        {
            await using var lease = await KeptLease.GrantAsync(etcd, TimeSpan.FromSeconds(30), TimeProvider.System, cancellationToken);
            var services = Enumerable.Range(0, settings.Releases).Select(i => $"bench-rb-{i:D3}").ToList();
            await PopulateAsync(etcd, services, lease.Id, cancellationToken);
            Printer.Error($"bench: {services.Count + 1} services, their instances (v1, v2) and workflow {Workflow} written under {etcdOptions.Prefix}");
            await using var server = await BenchController.StartAsync(
                etcdOptions, ["--drain-delay", "0s", "--allow-anonymous-proxies", "true"], new Dictionary<string, string>(), settings.ServerLog, cancellationToken);
            Printer.Error($"bench: controller pid {server.Id} leads, API on {server.Api}, xDS on 127.0.0.1:{server.XdsPort}");
            return await MeasureAsync(etcd, server, services, settings, cancellationToken);
        }
        finally
        {
            await BenchPrefix.DeleteAsync(etcd);
        }
    }

    private static async Task<int> MeasureAsync(EtcdConnection etcd, BenchController server, IReadOnlyList<string> services, Settings settings, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var used = services.Append(Reference).Select((name, i) => (name, 20000 + i)).ToList();
        var channels = Enumerable.Range(0, (settings.Proxies + ProxiesPerConnection - 1) / ProxiesPerConnection)
            .Select(_ => GrpcChannel.ForAddress($"http://127.0.0.1:{server.XdsPort}")).ToList();
        var proxies = Enumerable.Range(0, settings.Proxies)
            .Select(i => new SimulatedProxy(channels[i / ProxiesPerConnection], $"bench-proxy-{i}", used, stop.Token, [ReleaseTraffic.StableSubset, ReleaseTraffic.CanarySubset]))
            .ToList();
        try
        {
            await Task.WhenAll(proxies.Select(p => p.Ready.Task)).WaitAsync(TimeSpan.FromMinutes(3), cancellationToken);
            Printer.Error($"bench: {settings.Proxies} proxies connected and ACKed");

            var store = new ReleaseStore(etcd);
            var documents = new DocumentStore(etcd);
            using var api = new ReleaseApi(server.Api, server.Token);
            var started = await api.StartAllAsync(services, 20, cancellationToken, Workflow);
            if (started.Failure is not null)
            {
                throw new LightMeshException($"not every release started: {started.Failure}");
            }

            var ids = started.Ids.ToHashSet(StringComparer.Ordinal);
            var held = await BenchReleasesCommand.WaitForAsync(store, ids, s => s.Promotion == PromotionMove.PreviousKept || s.IsFinished, "in their window", TimeSpan.FromMinutes(5), cancellationToken);
            if (!held.Done || held.States.Any(s => s.IsFinished))
            {
                throw new LightMeshException($"not every release reached its rollback window: {string.Join(", ", held.States.Where(s => s.Promotion != PromotionMove.PreviousKept).Select(s => $"{s.Service} {s.Phase}"))}");
            }

            Printer.Error($"bench: {ids.Count} releases hold their rollback window; rolling each back in turn");
            var rollbacks = new List<double>();
            var answers = new List<double>();
            var writes = new List<double>();
            var cpuBefore = ProcessMeter.CpuTime(server.Id);
            var wall = Stopwatch.StartNew();
            foreach (var (release, i) in held.States.OrderBy(s => s.Service, StringComparer.Ordinal).Select((s, i) => (s, i)))
            {
                // One convergence: a plain route write (the reference service's weights), to the last ACK.
                await Task.Delay(QuietGap, cancellationToken);
                var weights = (i & 1) == 0 ? 80 : 90;
                var write = await documents.SetWeightsAsync(Reference, null, ReleaseTraffic.Split(100 - weights), cancellationToken);
                var written = Stopwatch.GetTimestamp();
                if (write.Outcome != WriteOutcome.Applied)
                {
                    throw new LightMeshException($"the reference write was not applied: {write.Outcome} {write.Message}");
                }

                var converged = await LastAckAsync(proxies, write.Revision, cancellationToken);

                // The rollback: the command, then the routes' write that gives stable 100% (the first write of the
                // service's VirtualService since the release began to hold its window), to the last ACK.
                var routesKey = etcd.Keys.Document(DocumentKind.VirtualService, release.Service);
                var before = (await etcd.GetAsync(routesKey, cancellationToken)).Kvs[0].ModRevision;
                await Task.Delay(QuietGap, cancellationToken);
                var sent = Stopwatch.GetTimestamp();
                var (id, error) = await api.ActAsync(release.Id, "rollback", cancellationToken);
                var answered = Stopwatch.GetTimestamp();
                if (id is null)
                {
                    throw new LightMeshException($"rollback of {release.Service}: {error}");
                }

                var revision = await NextWriteAsync(etcd, routesKey, before, cancellationToken);
                var acked = await LastAckAsync(proxies, revision, cancellationToken);
                if (i >= WarmUp)
                {
                    writes.Add(Stopwatch.GetElapsedTime(written, converged).TotalMilliseconds);
                    rollbacks.Add(Stopwatch.GetElapsedTime(sent, acked).TotalMilliseconds);
                    answers.Add(Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds);
                }
            }

            var cpu = ProcessMeter.CpuTime(server.Id) - cpuBefore;
            var elapsed = wall.Elapsed;
            var ended = await BenchReleasesCommand.WaitForAsync(store, ids, s => s.IsFinished, "ended", TimeSpan.FromMinutes(5), cancellationToken);
            var snapshot = await documents.ReadAsync(cancellationToken);
            var rolledBack = ended.States.Count(s => s.Phase == ReleasePhase.RolledBack
                && WeightChange.Current(snapshot.RoutesOf(s.Service)!, null)?.Any(w => w is { Subset: ReleaseTraffic.StableSubset, Weight: 100 }) == true);
            Report(settings, LatencySummary.Of(rollbacks), LatencySummary.Of(answers), LatencySummary.Of(writes), rolledBack, cpu / elapsed);
            return rolledBack == ids.Count ? ExitCodes.Ok : ExitCodes.Failed;
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }

            channels.ForEach(c => c.Dispose());
        }
    }

    /// <summary>The revision of the first write of <paramref name="key"/> after <paramref name="revision"/> (one key read every 5 ms).</summary>
    private static async Task<long> NextWriteAsync(EtcdConnection etcd, string key, long revision, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Wait)
        {
            if ((await etcd.GetAsync(key, cancellationToken)).Kvs is [{ ModRevision: var written }] && written > revision)
            {
                return written;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }

        throw new LightMeshException($"{key} was not written within {Wait.TotalSeconds} s of the rollback");
    }

    /// <summary>When the last of <paramref name="proxies"/> ACKed a route version at or past <paramref name="revision"/>.</summary>
    private static async Task<long> LastAckAsync(IReadOnlyList<SimulatedProxy> proxies, long revision, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Wait)
        {
            var acks = proxies.Select(p => p.AckedAt(revision)).ToList();
            if (acks.All(a => a is not null))
            {
                return acks.Max(a => a!.Value);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken);
        }

        throw new LightMeshException($"not every proxy ACKed revision {revision} within {Wait.TotalSeconds} s");
    }

    /// <summary>The services (each without deploy, stable subset v1) with live v1 and v2 instances, the reference service's split routes, and the workflow.</summary>
    private static async Task PopulateAsync(EtcdConnection etcd, IReadOnlyList<string> services, long lease, CancellationToken cancellationToken)
    {
        var documents = new DocumentStore(etcd);
        var all = services.Append(Reference).ToList();
        for (var start = 0; start < all.Count; start += 50)
        {
            await BenchServices.ApplyAsync(documents, [.. all.Skip(start).Take(50)], start, WorkflowYaml, cancellationToken, protocol: "grpc");
        }

        await documents.ApplyYamlAsync($$$"""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: {{{Reference}}}}
            spec:
              host: {{{Reference}}}
              subsets:
              - {name: stable, labels: {version: v1}}
              - {name: canary, labels: {version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: {{{Reference}}}}
            spec:
              hosts: [{{{Reference}}}]
              http:
              - name: primary
                route:
                - {destination: {host: {{{Reference}}}, subset: stable}, weight: 90}
                - {destination: {host: {{{Reference}}}, subset: canary}, weight: 10}
            """, "the benchmark's reference routes", cancellationToken);
        var instances = new BenchInstances(etcd, lease);
        await instances.RegisterAsync(all, "v1", cancellationToken);
        await instances.RegisterAsync(all, "v2", cancellationToken);
    }

    /// <summary>Quick steps that need no Docker and no Prometheus, then a window longer than the run.</summary>
    private const string WorkflowYaml = $$"""
        apiVersion: lightmesh.io/v1
        kind: ReleaseWorkflow
        metadata: {name: {{Workflow}}}
        spec:
          rollbackWindow: {duration: 1h}
          steps:
          - deploy: {}
          - setWeight: 50
          - promote: {}
        """;

    private static void Report(Settings settings, LatencySummary rollback, LatencySummary answered, LatencySummary write, int rolledBack, double cores)
    {
        static string Ms(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
        var rows = new (string Name, string Value)[]
        {
            ("releases rolled back (timed)", $"{rolledBack} ({rollback.Count})"),
            ("proxies", settings.Proxies.ToString(CultureInfo.InvariantCulture)),
            ("rollback command -> last ACK p50 / p99 / max (ms)", $"{Ms(rollback.P50)} / {Ms(rollback.P99)} / {Ms(rollback.Max)}"),
            ("rollback command answered p50 / p99 (ms)", $"{Ms(answered.P50)} / {Ms(answered.P99)}"),
            ("route write -> last ACK (one convergence) p50 / p99 / max (ms)", $"{Ms(write.P50)} / {Ms(write.P99)} / {Ms(write.Max)}"),
            ("rollback / one convergence, p50", (rollback.P50 / write.P50).ToString("F2", CultureInfo.InvariantCulture)),
            ("server CPU while rolling back (cores)", cores.ToString("F2", CultureInfo.InvariantCulture)),
        };
        BenchRows.Print(rows, settings.Output);
    }
}
