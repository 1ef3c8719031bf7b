using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Grpc.Net.Client;
using LightMesh.Cli;
using LightMesh.Cli.Commands;
using LightMesh.Cli.Output;
using LightMesh.Core;
using LightMesh.Core.Analysis;
using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Core.Validation;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Leases;
using LightMesh.Etcd.Releases;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Bench;

/// <summary>
/// <c>lightmesh-bench rollback</c>: N releases on one controller, with P simulated proxies that use every service; each
/// is rolled back in turn, and the time to the last proxy's ACK of the routes that give the old version all the traffic
/// is measured, beside the time from a plain etcd route write to the last ACK (one convergence) in the same run. With
/// <c>--trigger command</c> each release holds its rollback window and an operator's command rolls it back; with
/// <c>--trigger metric</c> each waits at 50% under a background analysis, and its canary's metric turns to failing in a
/// Prometheus the benchmark runs, timed from that sample's scrape and from the measurement that found it.
/// </summary>
public sealed class BenchRollbackCommand : AsyncCommand<BenchRollbackCommand.Settings>
{
    public const string Workflow = "bench-window";
    public const string MetricWorkflow = "bench-analysed";
    private const string Reference = "bench-ref";
    private const int ProxiesPerConnection = 50;
    private const int WarmUp = 3;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    // Before each timed write: three times the control plane's debounce quiet without a mesh write, so each timed write
    // is the first of its burst, as a lone write (or an operator's rollback) is, and neither times the other's burst.
    private static readonly TimeSpan QuietGap = TimeSpan.FromMilliseconds(300);

    // How often the benchmark's Prometheus scrapes the canaries' gauge; the timed figures start at a scrape, so this
    // only sets how long a flip waits for one.
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromMilliseconds(100);

    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--releases <N>")]
        [Description("Releases held in their window, each rolled back and timed (the first 3 untimed). Default: 33")]
        public int Releases { get; init; } = 33;

        [CommandOption("--proxies <P>")]
        [Description("Simulated proxyless clients, each using every service. Default: 100")]
        public int Proxies { get; init; } = 100;

        [CommandOption("--trigger <TRIGGER>")]
        [Description("command: an operator's rollback inside the rollback window; metric: a failing sample of the canary's metric during a pause. Default: command")]
        public RollbackTrigger Trigger { get; init; } = RollbackTrigger.Command;

        [CommandOption("--measure-every <DURATION>")]
        [Description("With --trigger metric: how often each release's background analysis measures (the controller's --background-interval, at least 1s). Default: 1s")]
        public string MeasureEvery { get; init; } = "1s";

        [CommandOption("--server-log <FILE>")]
        [Description("Write the controller's log there")]
        public string? ServerLog { get; init; }

        public TimeSpan MeasureInterval => Duration.TryParse(MeasureEvery, out var every) ? every.Value : TimeSpan.Zero;

        public override ValidationResult Validate() =>
            Releases is < WarmUp + 1 or > 500 ? ValidationResult.Error($"--releases: must be {WarmUp + 1}..500")
            : Proxies is < 1 or > 2000 ? ValidationResult.Error("--proxies: must be 1..2000")
            : !Enum.IsDefined(Trigger) ? ValidationResult.Error($"--trigger: \"{Trigger}\" must be command or metric")
            : MeasureInterval < TimeSpan.FromSeconds(1) || MeasureInterval > TimeSpan.FromMinutes(1)
                ? ValidationResult.Error($"--measure-every: \"{MeasureEvery}\" must be a duration from 1s to 1m")
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
            var metric = settings.Trigger == RollbackTrigger.Metric;
            await PopulateAsync(etcd, services, lease.Id, metric ? MetricWorkflowYaml : WorkflowYaml, cancellationToken);
            Printer.Error($"bench: {services.Count + 1} services, their instances (v1, v2) and workflow {(metric ? MetricWorkflow : Workflow)} written under {etcdOptions.Prefix}");
            await using var canaries = metric ? await FailingCanaries.StartAsync(services, ScrapeInterval, cancellationToken) : null;
            string[] flags = ["--drain-delay", "0s", "--allow-anonymous-proxies", "true"];
            if (canaries is not null)
            {
                Printer.Error($"bench: Prometheus on {canaries.Prometheus} scrapes the canaries' {FailingCanaries.Metric} every {ScrapeInterval.TotalMilliseconds} ms");
                flags = [.. flags, "--prometheus", canaries.Prometheus.ToString(), "--background-interval", settings.MeasureEvery];
            }

            await using var server = await BenchController.StartAsync(etcdOptions, flags, new Dictionary<string, string>(), settings.ServerLog, cancellationToken);
            Printer.Error($"bench: controller pid {server.Id} leads, API on {server.Api}, xDS on 127.0.0.1:{server.XdsPort}");
            return await MeasureAsync(etcd, server, services, canaries, settings, cancellationToken);
        }
        finally
        {
            await BenchPrefix.DeleteAsync(etcd);
        }
    }

    private static async Task<int> MeasureAsync(
        EtcdConnection etcd, BenchController server, IReadOnlyList<string> services, FailingCanaries? canaries, Settings settings, CancellationToken cancellationToken)
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
            var started = await api.StartAllAsync(services, 20, cancellationToken, canaries is null ? Workflow : MetricWorkflow);
            if (started.Failure is not null)
            {
                throw new LightMeshException($"not every release started: {started.Failure}");
            }

            // Command: each holds its rollback window (the new version takes all the traffic). Metric: each waits at
            // its pause with half the traffic on the canary, measured in the background.
            Func<ReleaseState, bool> ready = canaries is null ? s => s.Promotion == PromotionMove.PreviousKept : s => s.Phase == ReleasePhase.Paused;
            var where = canaries is null ? "their rollback window" : "their pause at 50%";
            var ids = started.Ids.ToHashSet(StringComparer.Ordinal);
            var held = await BenchReleasesCommand.WaitForAsync(store, ids, s => ready(s) || s.IsFinished, where, TimeSpan.FromMinutes(5), cancellationToken);
            if (!held.Done || held.States.Any(s => s.IsFinished))
            {
                throw new LightMeshException($"not every release reached {where}: {string.Join(", ", held.States.Where(s => !ready(s)).Select(s => $"{s.Service} {s.Phase}"))}");
            }

            Printer.Error($"bench: {ids.Count} releases hold {where}; rolling each back in turn");
            var timed = new List<TimedRollback>();
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

                // The rollback: the command, or the canary's gauge turned to failing; then the routes' write that
                // gives stable 100% (the first write of the service's VirtualService since the release reached its
                // window or pause), to the last ACK.
                var routesKey = etcd.Keys.Document(DocumentKind.VirtualService, release.Service);
                var before = (await etcd.GetAsync(routesKey, cancellationToken)).Kvs[0].ModRevision;
                await Task.Delay(QuietGap, cancellationToken);
                var sent = Stopwatch.GetTimestamp();
                if (canaries is null)
                {
                    var (id, error) = await api.ActAsync(release.Id, "rollback", cancellationToken);
                    if (id is null)
                    {
                        throw new LightMeshException($"rollback of {release.Service}: {error}");
                    }
                }
                else
                {
                    canaries.Fail(release.Service);
                }

                var answered = Stopwatch.GetTimestamp();
                var revision = await NextWriteAsync(etcd, routesKey, before, cancellationToken);
                var acked = await LastAckAsync(proxies, revision, cancellationToken);
                if (i >= WarmUp)
                {
                    timed.Add(new TimedRollback(release, written, converged, sent, answered, acked));
                }
            }

            var cpu = ProcessMeter.CpuTime(server.Id) - cpuBefore;
            var elapsed = wall.Elapsed;
            var ended = await BenchReleasesCommand.WaitForAsync(store, ids, s => s.IsFinished, "ended", TimeSpan.FromMinutes(5), cancellationToken);
            var snapshot = await documents.ReadAsync(cancellationToken);
            var rolledBack = ended.States.Count(s => s.Phase == ReleasePhase.RolledBack
                && WeightChange.Current(snapshot.RoutesOf(s.Service)!, null)?.Any(w => w is { Subset: ReleaseTraffic.StableSubset, Weight: 100 }) == true);
            var common = new (string, string)[]
            {
                ("releases rolled back (timed)", $"{rolledBack} ({timed.Count})"),
                ("proxies", BenchRows.Int(settings.Proxies)),
            };
            var convergence = LatencySummary.Of(timed.Select(t => Stopwatch.GetElapsedTime(t.Written, t.Converged).TotalMilliseconds));
            var rows = canaries is null
                ? CommandRows(timed, convergence)
                : await MetricRowsAsync(store, canaries, timed, convergence, settings, cancellationToken);
            BenchRows.Print([.. common, .. rows, ("server CPU while rolling back (cores)", (cpu / elapsed).ToString("F2", CultureInfo.InvariantCulture))], settings.Output);
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

    /// <summary>One timed rollback, in <see cref="Stopwatch"/> timestamps: the reference write and its last ACK, then the trigger (sent, and answered or flipped) and the last ACK of stable 100%.</summary>
    private sealed record TimedRollback(ReleaseState Release, long Written, long Converged, long Sent, long Answered, long Acked);

    private static IEnumerable<(string, string)> CommandRows(IReadOnlyList<TimedRollback> timed, LatencySummary convergence)
    {
        var rollback = LatencySummary.Of(timed.Select(t => Stopwatch.GetElapsedTime(t.Sent, t.Acked).TotalMilliseconds));
        var answered = LatencySummary.Of(timed.Select(t => Stopwatch.GetElapsedTime(t.Sent, t.Answered).TotalMilliseconds));
        return
        [
            ("rollback command -> last ACK p50 / p99 / max (ms)", Spread(rollback)),
            ("rollback command answered p50 / p99 (ms)", $"{BenchRows.Ms(answered.P50)} / {BenchRows.Ms(answered.P99)}"),
            ("route write -> last ACK (one convergence) p50 / p99 / max (ms)", Spread(convergence)),
            ("rollback / one convergence, p50", (rollback.P50 / convergence.P50).ToString("F2", CultureInfo.InvariantCulture)),
        ];
    }

    /// <summary>
    /// The metric trigger's figures, on the wall clock: the failing sample's scrape (its Prometheus timestamp), the
    /// measurement that found it (its time in the release's analysis record, the controller's clock on this machine),
    /// and the last ACK (a <see cref="Stopwatch"/> timestamp, placed on the wall clock by one reading of both).
    /// </summary>
    private static async Task<IEnumerable<(string, string)>> MetricRowsAsync(
        ReleaseStore store, FailingCanaries canaries, IReadOnlyList<TimedRollback> timed, LatencySummary convergence, Settings settings, CancellationToken cancellationToken)
    {
        var (wall, stamp) = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
        DateTimeOffset OnWall(long at) => wall - Stopwatch.GetElapsedTime(at, stamp);
        var scrapeToMeasured = new List<double>();
        var measuredToAck = new List<double>();
        var scrapeToAck = new List<double>();
        foreach (var rollback in timed)
        {
            var scraped = await canaries.FirstFailingSampleAsync(rollback.Release.Service, cancellationToken);
            var release = await store.GetWithMeasurementsAsync(rollback.Release.Id, cancellationToken);
            var measured = release?.Analyses.Where(a => a is { Background: true, Phase: AnalysisPhase.Failed })
                .SelectMany(a => a.Measurements).Where(m => m.Phase == MeasurementPhase.Failed).Select(m => (DateTimeOffset?)m.At).Min()
                ?? throw new LightMeshException($"{rollback.Release.Service}: the release records no failed background measurement");
            var acked = OnWall(rollback.Acked);
            scrapeToMeasured.Add((measured - scraped).TotalMilliseconds);
            measuredToAck.Add((acked - measured).TotalMilliseconds);
            scrapeToAck.Add((acked - scraped).TotalMilliseconds);
        }

        var fromMeasurement = LatencySummary.Of(measuredToAck);
        return
        [
            ("measured every / scraped every (ms)", $"{BenchRows.Ms(settings.MeasureInterval.TotalMilliseconds)} / {BenchRows.Ms(ScrapeInterval.TotalMilliseconds)}"),
            ("failing sample's scrape -> failing measurement p50 / p99 / max (ms)", Spread(LatencySummary.Of(scrapeToMeasured))),
            ("failing measurement -> last ACK of stable 100% p50 / p99 / max (ms)", Spread(fromMeasurement)),
            ("failing sample's scrape -> last ACK p50 / p99 / max (ms)", Spread(LatencySummary.Of(scrapeToAck))),
            ("route write -> last ACK (one convergence) p50 / p99 / max (ms)", Spread(convergence)),
            ("measurement -> last ACK / one convergence, p50", (fromMeasurement.P50 / convergence.P50).ToString("F2", CultureInfo.InvariantCulture)),
        ];
    }

    private static string Spread(LatencySummary summary) => $"{BenchRows.Ms(summary.P50)} / {BenchRows.Ms(summary.P99)} / {BenchRows.Ms(summary.Max)}";

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
    private static async Task PopulateAsync(EtcdConnection etcd, IReadOnlyList<string> services, long lease, string workflowYaml, CancellationToken cancellationToken)
    {
        var documents = new DocumentStore(etcd);
        var all = services.Append(Reference).ToList();
        for (var start = 0; start < all.Count; start += 50)
        {
            await BenchServices.ApplyAsync(documents, [.. all.Skip(start).Take(50)], start, workflowYaml, cancellationToken, protocol: "grpc");
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

    /// <summary>
    /// Quick steps, then a pause at 50% with no end, measured in the background from the first traffic on: the
    /// canary's gauge must stay under 1, and one failing measurement fails the analysis.
    /// </summary>
    private const string MetricWorkflowYaml = $$$"""
        apiVersion: lightmesh.io/v1
        kind: ReleaseWorkflow
        metadata: {name: {{{MetricWorkflow}}}}
        spec:
          backgroundAnalysis: {templates: [bench-canary-failing], startingStep: 1}
          steps:
          - deploy: {}
          - setWeight: 50
          - pause: {}
          - promote: {}
        ---
        apiVersion: lightmesh.io/v1
        kind: AnalysisTemplate
        metadata: {name: bench-canary-failing}
        spec:
          metrics:
          - name: failing
            provider:
              prometheus: {query: 'max({{{FailingCanaries.Metric}}}{service="{{service}}"})'}
            successCondition: result < 1
            failureLimit: 0
        """;
}
