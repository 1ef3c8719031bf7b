using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grpc.Net.Client;
using LightMesh.Cli;
using LightMesh.Cli.Commands;
using LightMesh.Cli.Output;
using LightMesh.ControlPlane.Hosting;
using LightMesh.Core;
using LightMesh.Core.Mesh;
using LightMesh.Core.Parsing;
using LightMesh.Core.Routing;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Processes;
using Spectre.Console;
using Spectre.Console.Cli;
using static LightMesh.Bench.BenchRows;

namespace LightMesh.Bench;



/// <summary>
/// <c>lightmesh-bench xds</c>: M services in etcd, C control planes each in its own process, N simulated proxyless
/// clients spread across them that all use one "hot" service plus one of their own; then the hot service's weights
/// change again and again, and the time from each etcd write to the last proxy's ACK is measured, and to the moment the
/// control planes' reports in etcd show every proxy with it (what a release step waits for), with the servers' memory
/// and CPU.
/// </summary>
public sealed class BenchXdsCommand : AsyncCommand<BenchXdsCommand.Settings>
{
    private const int ProxiesPerConnection = 50;

    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--proxies <N>")]
        [Description("Simulated proxyless clients, each using the one hot service and one of its own. Default: 100")]
        public int Proxies { get; init; } = 100;

        [CommandOption("--services <M>")]
        [Description("Services in etcd. Default: 100")]
        public int Services { get; init; } = 100;

        [CommandOption("--controllers <C>")]
        [Description("Control planes, each its own process; the proxies are spread over them in turn. Default: 1")]
        public int Controllers { get; init; } = 1;

        [CommandOption("--changes <K>")]
        [Description("How many weight changes to time. Default: 30")]
        public int Changes { get; init; } = 30;

        [CommandOption("--warm-up <W>")]
        [Description("Weight changes made first and not timed, while the server compiles its push path at the second tier. Default: 100")]
        public int WarmUp { get; init; } = 100;

        [CommandOption("--jit-settle <DURATION>")]
        [Description("After the warm-up, wait at most this long for each control plane's JIT to go quiet (0s: do not wait). Default: 60s")]
        public string JitSettle { get; init; } = "60s";

        public TimeSpan JitSettleLimit => BenchDurations.Of(JitSettle);

        public override ValidationResult Validate() =>
            Proxies is < 1 or > 10000 ? ValidationResult.Error("--proxies: must be 1..10000")
            : Services is < 1 or > 20000 ? ValidationResult.Error("--services: must be 1..20000")
            : Changes is < 1 or > 1000 ? ValidationResult.Error("--changes: must be 1..1000")
            : Controllers is < 1 or > 9 ? ValidationResult.Error("--controllers: must be 1..9")
            : WarmUp is < 0 or > 1000 ? ValidationResult.Error("--warm-up: must be 0..1000")
            : BenchDurations.Check("--jit-settle", JitSettle, TimeSpan.Zero, TimeSpan.FromMinutes(10)) is { } jitSettle ? ValidationResult.Error(jitSettle)
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var etcdOptions = settings.ToEtcdOptions() with { Prefix = $"/lightmesh-bench-{Guid.NewGuid():N}/", RequestTimeout = TimeSpan.FromSeconds(30) };
        using var etcd = new EtcdConnection(etcdOptions, TimeProvider.System);
        try
        {
            var populated = await PopulateAsync(etcd, settings.Services, cancellationToken);
            Printer.Error($"bench: {settings.Services} services and {settings.Services * 2} instances written at revision {populated}");
            return await MeasureAsync(etcd, settings, populated, cancellationToken);
        }
        finally
        {
            await new GuardedTxn().DeletePrefix(etcdOptions.Prefix).CommitAsync(etcd, CancellationToken.None);
        }
    }

    private static async Task<int> MeasureAsync(EtcdConnection etcd, Settings settings, long populated, CancellationToken cancellationToken)
    {
        var servers = Enumerable.Range(0, settings.Controllers)
            .Select(i => (Listen: $"127.0.0.1:{LoopbackPort.Free()}", Admin: $"127.0.0.1:{LoopbackPort.Free()}", Name: $"bench-{i}"))
            .Select(s => (s.Listen, s.Admin, Process: StartServer(etcd.Options, s.Listen, s.Admin, s.Name)))
            .ToList();
        try
        {
            foreach (var server in servers)
            {
                await WaitForRevisionAsync(server.Admin, populated, cancellationToken);
            }

            using var http = new HttpClient();
            var scraped = servers.Select(s => new ScrapedProcess(s.Process.Id, new Uri($"http://{s.Admin}/metrics"))).ToList();
            var before = await ReadMemoryAsync(scraped, http, cancellationToken);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reports = new ReportWatch(etcd, settings.Controllers, settings.Proxies);
            var watching = reports.RunAsync(stop.Token);

            // Proxy i is on control plane i mod C, fifty streams to a connection.
            var channels = new Dictionary<(int Server, int Connection), GrpcChannel>();
            var proxies = Enumerable.Range(0, settings.Proxies).Select(i =>
            {
                var (onServer, position) = (i % settings.Controllers, i / settings.Controllers);
                var connection = (onServer, position / ProxiesPerConnection);
                if (!channels.TryGetValue(connection, out var channel))
                {
                    channels[connection] = channel = GrpcChannel.ForAddress($"http://{servers[onServer].Listen}");
                }

                return new SimulatedProxy(channel, $"bench-proxy-{i}", i % settings.Services == 0 ? [Service(0)] : [Service(0), Service(i % settings.Services)], stop.Token);
            }).ToList();
            await Task.WhenAll(proxies.Select(p => p.Ready.Task)).WaitAsync(TimeSpan.FromMinutes(3), cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); // let the servers settle before reading their memory
            var after = await ReadMemoryAsync(scraped, http, cancellationToken);
            Printer.Error($"bench: {settings.Proxies} proxies connected and ACKed, over {settings.Controllers} control plane(s)");

            var store = new DocumentStore(etcd);
            var latencies = new List<double>();
            var reported = new List<double>();
            TimeSpan Cpu() => servers.Aggregate(TimeSpan.Zero, (sum, s) => sum + ProcessMeter.CpuTime(s.Process.Id));
            var cpuBefore = Cpu();
            var wall = Stopwatch.StartNew();
            var revision = populated;
            var jit = new JitFigures();
            // Untimed: the first pushes pay for JIT compilation and tiering in the server (with 10, the first dozen timed
            // changes of a run were still about twice as slow as the rest; docs/benchmarks.md).
            for (var change = -settings.WarmUp; change < settings.Changes; change++)
            {
                if (change == 0)
                {
                    jit = await SettleAsync(scraped, http, settings.JitSettleLimit, cancellationToken);
                    cpuBefore = Cpu();
                    wall.Restart();
                }

                var reached = 0;
                var last = 0L;
                var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                foreach (var proxy in proxies)
                {
                    proxy.Await(revision + 1, at =>
                    {
                        Interlocked.Exchange(ref last, Math.Max(Interlocked.Read(ref last), at));
                        if (Interlocked.Increment(ref reached) == proxies.Count)
                        {
                            all.TrySetResult();
                        }
                    });
                }

                var v1 = (change & 1) == 0 ? 80 : 90;
                var result = await store.SetWeightsAsync("svc-0", "primary", [new SubsetWeight("v1", v1), new SubsetWeight("v2", 100 - v1)], cancellationToken);
                var written = Stopwatch.GetTimestamp();
                if (result.Outcome != WriteOutcome.Applied)
                {
                    throw new LightMeshException($"the weight change was not applied: {result.Outcome} {result.Message}");
                }

                revision = result.Revision;

                // Awaited once written: the reports (written by the control planes under the same prefix) move etcd's
                // revision on, so only the write's own revision tells this change from the one before.
                var seen = reports.AwaitAsync(revision);
                await Within(all.Task, $"every proxy to ACK revision {revision}", cancellationToken);
                await Within(seen, $"the control planes' reports to show every proxy at revision {revision}", cancellationToken);
                var seenAt = await seen;
                if (change >= 0)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(written, Interlocked.Read(ref last)).TotalMilliseconds);
                    reported.Add(Stopwatch.GetElapsedTime(written, seenAt).TotalMilliseconds);
                }
            }

            var cpu = Cpu() - cpuBefore;
            var elapsed = wall.Elapsed;
            jit = jit with { DuringChanges = await JitSecondsAsync(scraped, http, cancellationToken) - jit.AtStart };
            await stop.CancelAsync();
            await watching.ContinueWith(_ => { }, TaskScheduler.Default);
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }

            foreach (var channel in channels.Values)
            {
                channel.Dispose();
            }

            Report(settings, latencies, reported, before, after, cpu, elapsed, jit);
            return ExitCodes.Ok;
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.Process.DisposeAsync();
            }
        }
    }

    private static (string Service, int Port) Service(int index) => ($"svc-{index}", 20000 + index);

    /// <summary>How long the wait for the control planes' JIT took (null: not waited for), whether every one went quiet, and their JIT seconds.</summary>
    private sealed record JitFigures(TimeSpan? Settled = null, bool Quiet = false, double AtStart = 0, double DuringChanges = 0);

    /// <summary>After the warm-up: waits for each control plane's JIT in turn, then reads their JIT seconds so far.</summary>
    private static async Task<JitFigures> SettleAsync(IReadOnlyList<ScrapedProcess> servers, HttpClient http, TimeSpan limit, CancellationToken cancellationToken)
    {
        var (settled, quiet) = ((TimeSpan?)null, true);
        foreach (var server in servers)
        {
            var (waited, wentQuiet) = await JitActivity.SettleAfterWarmUpAsync(server, http, limit, cancellationToken);
            (settled, quiet) = (waited is { } w ? (settled ?? TimeSpan.Zero) + w : null, quiet && wentQuiet);
        }

        return new JitFigures(settled, settled is not null && quiet, await JitSecondsAsync(servers, http, cancellationToken));
    }

    private static async Task<double> JitSecondsAsync(IReadOnlyList<ScrapedProcess> servers, HttpClient http, CancellationToken cancellationToken)
    {
        var seconds = 0.0;
        foreach (var server in servers)
        {
            seconds += await JitActivity.SecondsAsync(server, http, cancellationToken);
        }

        return seconds;
    }

    /// <summary>The servers' resident memory and live heap (after a full collection each), summed.</summary>
    private static async Task<(long Resident, double LiveHeap)> ReadMemoryAsync(IReadOnlyList<ScrapedProcess> servers, HttpClient http, CancellationToken cancellationToken)
    {
        var readings = new List<MemoryReading>();
        foreach (var server in servers)
        {
            readings.Add(await MemoryReading.TakeWithLiveHeapAsync(server, http, cancellationToken));
        }

        return (readings.Sum(r => r.Resident), readings.Sum(r => r.LiveHeap ?? double.NaN));
    }

    private static void Report(Settings settings, List<double> latencies, List<double> reported, (long Resident, double LiveHeap) before, (long Resident, double LiveHeap) after, TimeSpan cpu, TimeSpan elapsed, JitFigures jit)
    {
        Printer.Error($"bench: latencies (ms) in order: {string.Join(" ", latencies.Select(l => l.ToString("F0", CultureInfo.InvariantCulture)))}");
        latencies.Sort();
        reported.Sort();
        static double Of(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
        double Percentile(double p) => Of(latencies, p);
        var perProxy = (after.Resident - before.Resident) / (double)settings.Proxies / 1024;
        var livePerProxy = (after.LiveHeap - before.LiveHeap) / settings.Proxies / 1024;
        var rows = new (string Name, string Value)[]
        {
            ("proxies", settings.Proxies.ToString(CultureInfo.InvariantCulture)),
            ("services", settings.Services.ToString(CultureInfo.InvariantCulture)),
            ("control planes", settings.Controllers.ToString(CultureInfo.InvariantCulture)),
            ("weight changes (after the warm-up's)", $"{latencies.Count.ToString(CultureInfo.InvariantCulture)} (after {settings.WarmUp.ToString(CultureInfo.InvariantCulture)})"),
            ("etcd write -> last ACK p50 (ms)", Percentile(0.50).ToString("F1", CultureInfo.InvariantCulture)),
            ("etcd write -> last ACK p99 (ms)", Percentile(0.99).ToString("F1", CultureInfo.InvariantCulture)),
            ("etcd write -> last ACK max (ms)", latencies[^1].ToString("F1", CultureInfo.InvariantCulture)),
            ("etcd write -> every report shows it p50 (ms)", Of(reported, 0.50).ToString("F1", CultureInfo.InvariantCulture)),
            ("etcd write -> every report shows it p99 (ms)", Of(reported, 0.99).ToString("F1", CultureInfo.InvariantCulture)),
            ("servers' RSS before proxies (MiB)", Mib(before.Resident)),
            ("servers' RSS with proxies (MiB)", Mib(after.Resident)),
            ("server memory per proxy (KiB)", perProxy.ToString("F1", CultureInfo.InvariantCulture)),
            ("servers' live heap (after a full GC) before -> with proxies (MiB)", $"{Mib(before.LiveHeap)} -> {Mib(after.LiveHeap)}"),
            ("server live heap per proxy (KiB)", livePerProxy.ToString("F1", CultureInfo.InvariantCulture)),
            ("servers' CPU during changes (cores)", (cpu / elapsed).ToString("F2", CultureInfo.InvariantCulture)),
            ("servers' JIT quiet after the warm-up (s)", JitActivity.Settled(jit.Settled, jit.Quiet)),
            ("servers' JIT compiling during changes (s)", jit.DuringChanges.ToString("F2", CultureInfo.InvariantCulture)),
        };
        BenchRows.Print(rows, settings.Output);
    }

    /// <summary>Awaits <paramref name="task"/> at most a minute; a clear failure naming <paramref name="what"/> after that.</summary>
    private static async Task Within(Task task, string what, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new LightMeshException($"waited 60 s for {what}");
        }
    }

    /// <summary>Starts a control plane (<c>lightmesh xds serve</c>); its output is kept only for errors, and it is killed on dispose.</summary>
    private static LocalProcess StartServer(EtcdOptions etcd, string listen, string admin, string name) => LocalProcess.Start(new LocalProcessOptions
    {
        Name = $"the control plane {name}",
        Executable = SelfCommand.Host,
        Arguments = SelfCommand.Arguments("xds", "serve", "--allow-anonymous", "--listen", listen, "--admin", admin, "--name", name, "--etcd", etcd.Endpoints, "--prefix", etcd.Prefix),
        StopTimeout = TimeSpan.Zero,
    });

    private static async Task WaitForRevisionAsync(string admin, long revision, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            try
            {
                var report = await http.GetFromJsonAsync<StatusReport>($"http://{admin}/status", JsonSerializerOptions.Web, cancellationToken);
                if (report?.Revision >= revision)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // not up yet
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new ServerUnreachableException($"the control plane at {admin} did not reach revision {revision}");
    }

    /// <summary>Writes M services (Service, DestinationRule with v1/v2, VirtualService 100/0) and two instances each.</summary>
    private static async Task<long> PopulateAsync(EtcdConnection etcd, int services, CancellationToken cancellationToken)
    {
        var store = new DocumentStore(etcd);
        const int perBatch = 20;
        for (var start = 0; start < services; start += perBatch)
        {
            var yaml = new StringBuilder();
            for (var i = start; i < Math.Min(services, start + perBatch); i++)
            {
                var (name, port) = Service(i);
                yaml.Append(CultureInfo.InvariantCulture, $"""
                    apiVersion: lightmesh.io/v1
                    kind: Service
                    metadata: {"{"}name: {name}{"}"}
                    spec: {"{"}protocol: grpc, port: {port}{"}"}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata: {"{"}name: {name}{"}"}
                    spec:
                      host: {name}
                      subsets:
                      - name: v1
                        labels: {"{"}version: v1{"}"}
                      - name: v2
                        labels: {"{"}version: v2{"}"}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {"{"}name: {name}{"}"}
                    spec:
                      hosts: [{name}]
                      http:
                      - name: primary
                        route:
                        - destination: {"{"}host: {name}, subset: v1{"}"}
                          weight: 100
                    ---

                    """);
            }

            var parsed = DocumentParser.Parse(yaml.ToString(), "bench");
            if (!parsed.IsValid || (await store.ApplyAsync(parsed.Documents, cancellationToken)).Outcome != WriteOutcome.Applied)
            {
                throw new LightMeshException($"could not write the benchmark's documents: {string.Join("; ", parsed.Errors)}");
            }
        }

        var lease = (await etcd.LeaseGrantAsync(TimeSpan.FromMinutes(30), cancellationToken)).ID;
        long revision = 0;
        for (var start = 0; start < services; start += 50)
        {
            var txn = new GuardedTxn();
            for (var i = start; i < Math.Min(services, start + 50); i++)
            {
                foreach (var (version, offset) in new[] { ("v1", 0), ("v2", 1) })
                {
                    var instance = new Instance
                    {
                        Service = Service(i).Service, Id = $"{version}-{i}", Version = version, Address = "127.0.0.1", Port = 30000 + (2 * i) + offset,
                        Labels = new Dictionary<string, string> { ["version"] = version },
                    };
                    txn.Put(etcd.Keys.Instance(instance.Service, instance.Id), InstanceCodec.Write(instance), lease);
                }
            }

            (_, revision) = await txn.CommitAsync(etcd, cancellationToken);
        }

        return revision;
    }
}
