using System.ComponentModel;
using System.Diagnostics;
using LightMesh.Cli.Commands;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;
using LightMesh.Etcd;
using LightMesh.Etcd.Leases;
using LightMesh.Etcd.Releases;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Bench;

/// <summary>
/// <c>lightmesh bench releases</c>: N services in etcd, the controller in its own process, N releases of quick steps
/// started at once through its HTTP API; measures the time per step transition against the etcd round trip, the
/// controller's memory per active release, and how long all N take to reach their untimed pause and then to finish.
/// </summary>
public sealed partial class BenchReleasesCommand : AsyncCommand<BenchReleasesCommand.Settings>
{
    public const string Workflow = "bench-quick";

    /// <summary>
    /// The etcd round trips assumed per step transition for "overhead beyond etcd": read the release, read the routes,
    /// write the routes, save the release.
    /// </summary>
    public const int RoundTripsPerTransition = 4;

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    // Reads of the first page of the release list, timed after the run.
    private const int ListReads = 20;

    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--releases <N>")]
        [Description("Releases started at once, one per service. Default: 500")]
        public int Releases { get; init; } = 500;

        [CommandOption("--concurrency <C>")]
        [Description("Start and resume requests in flight at once. Default: 50")]
        public int Concurrency { get; init; } = 50;

        [CommandOption("--round-trips <K>")]
        [Description("etcd transactions timed for the round trip. Default: 200")]
        public int RoundTrips { get; init; } = 200;

        [CommandOption("--timeout <DURATION>")]
        [Description("How long all releases may take to reach the pause, and again to finish. Default: 10m")]
        public string Timeout { get; init; } = "10m";

        [CommandOption("--history <N>")]
        [Description("Ended releases written to etcd first (about 4 KiB each, spread over the services), so the run has a history behind it. Default: 0")]
        public int History { get; init; }

        [CommandOption("--server-log <FILE>")]
        [Description("Write the controller's log to this file.")]
        public string? ServerLog { get; init; }

        public TimeSpan Deadline => Duration.TryParse(Timeout, out var d) ? d.Value : TimeSpan.Zero;

        public override ValidationResult Validate()
        {
            var errors = new List<string>();
            if (Releases is < 1 or > 5000)
            {
                errors.Add("--releases: must be 1..5000");
            }

            if (Concurrency is < 1 or > 500)
            {
                errors.Add("--concurrency: must be 1..500");
            }

            if (History is < 0 or > 100000)
            {
                errors.Add("--history: must be 0..100000");
            }

            if (RoundTrips is < 10 or > 10000)
            {
                errors.Add("--round-trips: must be 10..10000");
            }

            if (!Duration.TryParse(Timeout, out var timeout) || timeout.Value < TimeSpan.FromSeconds(10))
            {
                errors.Add($"--timeout: \"{Timeout}\" must be a duration of at least 10s");
            }

            return errors.Count > 0 ? ValidationResult.Error(string.Join("; ", errors)) : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // The benchmark deletes its prefix at the end, so it only ever uses a fresh one or one the caller vouches is empty.
        var given = settings.ToEtcdOptions();
        var fresh = given.Prefix == EtcdOptions.DefaultPrefix;
        var etcdOptions = given with
        {
            Prefix = fresh ? $"/lightmesh-bench-{Guid.NewGuid():N}/" : given.Prefix,
            RequestTimeout = TimeSpan.FromSeconds(30),
        };
        using var etcd = new EtcdConnection(etcdOptions, TimeProvider.System);
        if (!fresh && await etcd.CountPrefixAsync(etcdOptions.Prefix, cancellationToken) is > 0 and var keys)
        {
            throw new InvalidInputException($"--prefix: {etcdOptions.Prefix} holds {keys} keys; the benchmark deletes its prefix when done, so give an empty one");
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency }) { Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            int code;
            await using (var lease = await KeptLease.GrantAsync(etcd, TimeSpan.FromSeconds(30), TimeProvider.System, cancellationToken))
            {
                await PopulateAsync(etcd, settings.Releases, lease.Id, cancellationToken);
                Output.Printer.Error($"bench: {settings.Releases + 1} services, their instances (v1, v2) and workflow {Workflow} written under {etcdOptions.Prefix}");
                var history = await WriteHistoryAsync(etcd, settings, cancellationToken);
                var figures = await MeasureEtcdAsync(etcd, settings, cancellationToken) with { History = settings.History };
                await using var server = await ControllerProcess.StartAsync(etcdOptions, ["--poll-interval", "100ms", "--drain-delay", "0s", .. history], new Dictionary<string, string>(), settings.ServerLog, cancellationToken);
                Output.Printer.Error($"bench: controller pid {server.Id} leads, API on {server.Api}");
                code = await MeasureAsync(etcd, http, server, settings, figures, cancellationToken);
            }

            return code;
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await new GuardedTxn().DeletePrefix(etcdOptions.Prefix).CommitAsync(etcd, cleanup.Token);
        }
    }

    private static async Task<int> MeasureAsync(EtcdConnection etcd, HttpClient http, ControllerProcess server, Settings settings, ReleaseBenchFigures figures, CancellationToken cancellationToken)
    {
        var store = new ReleaseStore(etcd);
        using var api = new ReleaseApi(server.Api, server.Token);

        // One release first, to the end: the controller pays for compiling its release paths before the idle reading.
        await WarmUpAsync(api, store, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        figures = figures with { Idle = await MemoryReading.TakeAsync(server, http, cancellationToken) };

        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loaded = SampleEtcdAsync(etcd, sampling.Token);
        var cpu = ProcessMeter.CpuTime(server.Id);
        var wall = Stopwatch.StartNew();
        (IReadOnlyList<ReleaseState> States, bool Done) settled;
        HashSet<string> ids;
        try
        {
            var services = Enumerable.Range(0, settings.Releases).Select(ServiceName).ToList();
            var started = await api.StartAllAsync(services, settings.Concurrency, cancellationToken);
            figures = figures with
            {
                Started = started.Ids.Count, StartFailure = started.Failure, StartRequest = LatencySummary.Of(started.Latencies), Submitting = wall.Elapsed,
            };
            Output.Printer.Error($"bench: {started.Ids.Count} of {settings.Releases} releases started in {wall.Elapsed.TotalSeconds:F1} s{(started.Failure is null ? "" : $"; first failure: {started.Failure}")}");

            ids = started.Ids.ToHashSet(StringComparer.Ordinal);
            settled = await WaitForAsync(store, ids, s => s.Phase == ReleasePhase.Paused || s.IsFinished, "at the pause or ended", settings.Deadline, cancellationToken);
        }
        finally
        {
            await sampling.CancelAsync();
        }

        figures = figures with { EtcdTxnLoaded = LatencySummary.Of(await loaded), ServerCpuCores = (ProcessMeter.CpuTime(server.Id) - cpu) / wall.Elapsed };
        figures = WithTransitions(figures, settled.States);
        await Task.Delay(Settle, cancellationToken);
        figures = figures with { AllPaused = await MemoryReading.TakeAsync(server, http, cancellationToken) };
        if (!settled.Done)
        {
            return Fail(figures, server, settings, $"not every release reached its pause or ended within {settings.Timeout}: {figures.Phases}");
        }

        var paused = settled.States.Where(AtPauseStep).Select(s => s.Id).ToList();
        var resumed = await api.ResumeAllAsync(paused, settings.Concurrency, cancellationToken);
        if (resumed.Failure is not null)
        {
            Output.Printer.Error($"bench: {paused.Count - resumed.Ids.Count} resume(s) failed; first: {resumed.Failure}");
        }

        var finished = await WaitForAsync(store, ids, s => s.IsFinished, "ended", settings.Deadline, cancellationToken);
        figures = WithEndings(figures, finished.States) with { LogWarnings = server.Warnings, LogErrors = server.Errors };
        if (!finished.Done)
        {
            return Fail(figures, server, settings, $"not every release ended within {settings.Timeout} of the resumes: {figures.FinalPhases}");
        }

        figures = figures with { ListPage = await api.TimeFirstPageAsync(ListReads, cancellationToken), HistoryKept = (int)await etcd.CountPrefixAsync(etcd.Keys.Releases, cancellationToken) };
        Report(settings, figures);
        return figures.Succeeded == settings.Releases ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>
    /// Writes the <c>--history</c> ended releases, and gives the controller flags that keep them all: the run is to be
    /// measured with them in etcd, not while retention deletes them.
    /// </summary>
    private static async Task<string[]> WriteHistoryAsync(EtcdConnection etcd, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.History == 0)
        {
            return [];
        }

        var started = Stopwatch.StartNew();
        var services = Enumerable.Range(0, settings.Releases).Select(ServiceName).ToList();
        await BenchHistory.WriteAsync(new ReleaseStore(etcd), services, settings.History, TimeProvider.System, cancellationToken);
        Output.Printer.Error($"bench: {settings.History} ended releases written in {started.Elapsed.TotalSeconds:F1} s");
        var perService = (settings.History + services.Count - 1) / services.Count;
        return ["--release-history", Math.Max(20, perService + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)];
    }

    private static string ServiceName(int index) => $"bench-svc-{index:D4}";

    private static bool AtPauseStep(ReleaseState state) => state.Phase == ReleasePhase.Paused && state.CurrentStep is PauseStep;

    private static int Fail(ReleaseBenchFigures figures, ControllerProcess server, Settings settings, string why)
    {
        Report(settings, figures with { LogWarnings = server.Warnings, LogErrors = server.Errors });
        Output.Printer.Error($"bench: {why}");
        foreach (var line in server.Tail.Where(l => !l.StartsWith("info:", StringComparison.Ordinal)).TakeLast(10))
        {
            Output.Printer.Error($"bench: server: {line}");
        }

        return ExitCodes.Failed;
    }
}
