using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using LightMesh.Cli;
using LightMesh.Cli.Commands;
using LightMesh.Cli.Output;
using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;
using LightMesh.Core;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Leases;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Releases;
using LightMesh.Etcd;
using Spectre.Console.Cli;
using Spectre.Console;
using static LightMesh.Bench.BenchRows;

namespace LightMesh.Bench;

/// <summary>
/// <c>lightmesh-bench releases</c>: N services in etcd, the controller in its own process, N releases of quick steps
/// started at once through its HTTP API; measures the time per step transition against the etcd round trip, the
/// controller's memory per active release, and how long all N take to reach their untimed pause and then to finish.
/// </summary>
public sealed class BenchReleasesCommand : AsyncCommand<BenchReleasesCommand.Settings>
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

        [CommandOption("--then <M>")]
        [Description("Once all N are at their pause, start M more and read the memory again: what each added active release costs once the controller's one-time growth (compiled code, allocator arenas) is behind it. Default: 0")]
        public int Then { get; init; }

        [CommandOption("--warm-up <W>")]
        [Description("Releases of W services of their own taken through every step at once before anything is measured, so the controller has compiled its release paths at the second tier, as one that has run a while has (with dynamic PGO a method called once per release is compiled again after about 30 calls and once more after about 30 further ones, so 50 left many half-way). Default: 150")]
        public int WarmUp { get; init; } = 150;

        [CommandOption("--concurrency <C>")]
        [Description("Start and resume requests in flight at once. Default: 50")]
        public int Concurrency { get; init; } = 50;

        [CommandOption("--round-trips <K>")]
        [Description("etcd transactions timed for the round trip. Default: 200")]
        public int RoundTrips { get; init; } = 200;

        [CommandOption("--timeout <DURATION>")]
        [Description("How long all releases may take to reach the pause, and again to finish. Default: 10m")]
        public string Timeout { get; init; } = "10m";

        [CommandOption("--jit-settle <DURATION>")]
        [Description("After the warm-up, wait up to this long for the controller's JIT to go quiet (its second-tier compiling of the release paths), so that it does not run beside the measured releases; 0s measures a controller that has just warmed up. Default: 60s")]
        public string JitSettle { get; init; } = "60s";

        public TimeSpan JitSettleLimit => BenchDurations.Of(JitSettle);

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

            if (Then is < 0 or > 5000)
            {
                errors.Add("--then: must be 0..5000");
            }

            if (WarmUp is < 1 or > 500)
            {
                errors.Add("--warm-up: must be 1..500");
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

            if (BenchDurations.Check("--jit-settle", JitSettle, TimeSpan.Zero, TimeSpan.FromMinutes(10)) is { } jitSettle)
            {
                errors.Add(jitSettle);
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
        var (etcdOptions, etcd) = await BenchPrefix.OpenAsync(settings.ToEtcdOptions(), cancellationToken);
        using var _ = etcd;

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency }) { Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            int code;
            await using (var lease = await KeptLease.GrantAsync(etcd, TimeSpan.FromSeconds(30), TimeProvider.System, cancellationToken))
            {
                await PopulateAsync(etcd, settings.Releases + settings.Then, settings.WarmUp, lease.Id, cancellationToken);
                Printer.Error($"bench: {settings.Releases + settings.Then + settings.WarmUp} services, their instances (v1, v2) and workflow {Workflow} written under {etcdOptions.Prefix}");
                var history = await WriteHistoryAsync(etcd, settings, cancellationToken);
                var figures = await MeasureEtcdAsync(etcd, settings, cancellationToken) with { History = settings.History };
                await using var server = await BenchController.StartAsync(etcdOptions, ["--poll-interval", "100ms", "--drain-delay", "0s", .. history], new Dictionary<string, string>(), settings.ServerLog, cancellationToken);
                Printer.Error($"bench: controller pid {server.Id} leads, API on {server.Api}");
                code = await MeasureAsync(etcd, http, server, settings, figures, cancellationToken);
            }

            return code;
        }
        finally
        {
            await BenchPrefix.DeleteAsync(etcd);
        }
    }

    private static async Task<int> MeasureAsync(EtcdConnection etcd, HttpClient http, BenchController server, Settings settings, ReleaseBenchFigures figures, CancellationToken cancellationToken)
    {
        var store = new ReleaseStore(etcd);
        using var api = new ReleaseApi(server.Api, server.Token);

        // --warm-up releases first, to the end: the controller pays for compiling its release paths before the idle reading.
        await WarmUpAsync(api, store, settings, cancellationToken);
        var (jitSettled, jitQuiet) = await JitActivity.SettleAfterWarmUpAsync(server.Scraped, http, settings.JitSettleLimit, cancellationToken);
        figures = figures with { JitSettled = jitSettled, JitQuiet = jitQuiet };

        await Task.Delay(Settle, cancellationToken);
        figures = figures with { Idle = await MemoryReading.TakeWithLiveHeapAsync(server, http, cancellationToken) };

        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loaded = SampleEtcdAsync(etcd, sampling.Token);
        var jit = await JitActivity.SecondsAsync(server.Scraped, http, cancellationToken);
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
            Printer.Error($"bench: {started.Ids.Count} of {settings.Releases} releases started in {wall.Elapsed.TotalSeconds:F1} s{(started.Failure is null ? "" : $"; first failure: {started.Failure}")}");

            ids = started.Ids.ToHashSet(StringComparer.Ordinal);
            settled = await WaitForAsync(store, ids, s => s.Phase == ReleasePhase.Paused || s.IsFinished, "at the pause or ended", settings.Deadline, cancellationToken);
        }
        finally
        {
            await sampling.CancelAsync();
        }

        figures = figures with
        {
            EtcdTxnLoaded = LatencySummary.Of(await loaded), ServerCpuCores = (ProcessMeter.CpuTime(server.Id) - cpu) / wall.Elapsed,
            JitDuringRun = await JitActivity.SecondsAsync(server.Scraped, http, cancellationToken) - jit,
        };
        figures = WithTransitions(figures, settled.States);
        await Task.Delay(Settle, cancellationToken);
        figures = figures with { AllPaused = await MemoryReading.TakeWithLiveHeapAsync(server, http, cancellationToken) };
        if (!settled.Done)
        {
            return Fail(figures, server, settings, $"not every release reached its pause or ended within {settings.Timeout}: {figures.Phases}");
        }

        var paused = settled.States.Where(AtPauseStep).Select(s => s.Id).ToList();
        if (settings.Then > 0)
        {
            var added = await AddReleasesAsync(api, store, server, http, settings, cancellationToken);
            figures = figures with { AddedPaused = added.Paused.Count, MorePaused = added.Reading };
            ids.UnionWith(added.Ids);
            paused.AddRange(added.Paused);
            if (added.Failure is { } failure)
            {
                return Fail(figures, server, settings, failure);
            }
        }

        var resumed = await api.ResumeAllAsync(paused, settings.Concurrency, cancellationToken);
        if (resumed.Failure is not null)
        {
            Printer.Error($"bench: {paused.Count - resumed.Ids.Count} resume(s) failed; first: {resumed.Failure}");
        }

        var finished = await WaitForAsync(store, ids, s => s.IsFinished, "ended", settings.Deadline, cancellationToken);
        figures = WithEndings(figures, finished.States) with { LogWarnings = server.Warnings, LogErrors = server.Errors };
        if (!finished.Done)
        {
            return Fail(figures, server, settings, $"not every release ended within {settings.Timeout} of the resumes: {figures.FinalPhases}");
        }

        figures = figures with { ListPage = await api.TimeFirstPageAsync(ListReads, cancellationToken), HistoryKept = (int)await etcd.CountPrefixAsync(etcd.Keys.Releases, cancellationToken) };
        Report(settings, figures);
        server.PrintFirstLogProblems();
        return figures.Succeeded == settings.Releases + settings.Then ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>
    /// <c>--then</c>: M more releases, of the services after the first N, started once the first N are at their
    /// pause; the memory is read again when these are at theirs too.
    /// </summary>
    private static async Task<(IReadOnlyList<string> Ids, List<string> Paused, MemoryReading? Reading, string? Failure)> AddReleasesAsync(
        ReleaseApi api, ReleaseStore store, BenchController server, HttpClient http, Settings settings, CancellationToken cancellationToken)
    {
        var services = Enumerable.Range(settings.Releases, settings.Then).Select(ServiceName).ToList();
        var started = await api.StartAllAsync(services, settings.Concurrency, cancellationToken);
        Printer.Error($"bench: then {started.Ids.Count} of {settings.Then} more releases started{(started.Failure is null ? "" : $"; first failure: {started.Failure}")}");
        var ids = started.Ids.ToHashSet(StringComparer.Ordinal);
        var settled = await WaitForAsync(store, ids, s => s.Phase == ReleasePhase.Paused || s.IsFinished, "at the pause or ended", settings.Deadline, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        var reading = await MemoryReading.TakeWithLiveHeapAsync(server, http, cancellationToken);
        var paused = settled.States.Where(AtPauseStep).Select(s => s.Id).ToList();
        var failure = started.Ids.Count < settings.Then ? $"{settings.Then - started.Ids.Count} of the --then releases did not start"
            : !settled.Done ? $"not every --then release reached its pause or ended within {settings.Timeout}: {PhasesOf(settled.States)}"
            : null;
        return ([.. ids], paused, reading, failure);
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
        Printer.Error($"bench: {settings.History} ended releases written in {started.Elapsed.TotalSeconds:F1} s");
        var perService = (settings.History + services.Count - 1) / services.Count;
        return ["--release-history", Math.Max(20, perService + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)];
    }

    private static string ServiceName(int index) => $"bench-svc-{index:D4}";

    private static bool AtPauseStep(ReleaseState state) => state.Phase == ReleasePhase.Paused && state.CurrentStep is PauseStep;

    private static int Fail(ReleaseBenchFigures figures, BenchController server, Settings settings, string why)
    {
        Report(settings, figures with { LogWarnings = server.Warnings, LogErrors = server.Errors });
        server.PrintFirstLogProblems();
        Printer.Error($"bench: {why}");
        foreach (var line in server.Tail.Where(l => !l.StartsWith("info:", StringComparison.Ordinal)).TakeLast(10))
        {
            Printer.Error($"bench: server: {line}");
        }

        return ExitCodes.Failed;
    }

    // The benchmark's world in etcd, and the etcd round trips it is measured against.

    private static string WarmUpService(int index) => $"bench-warmup-{index:D3}";
    private const int ServicesPerWrite = 30; // 90 documents and their guards, or 60 instances: under etcd's default 128 operations per transaction
    private const int DocumentReads = 20;

    /// <summary>
    /// Writes the workflow, and per service (N, plus W to warm up with) a Service without deploy, a DestinationRule
    /// whose stable subset is v1, and a live instance of v1 and of v2 under <paramref name="lease"/>.
    /// </summary>
    private static async Task PopulateAsync(EtcdConnection etcd, int releases, int warmUp, long lease, CancellationToken cancellationToken)
    {
        var store = new DocumentStore(etcd);
        var services = Enumerable.Range(0, releases).Select(ServiceName).Concat(Enumerable.Range(0, warmUp).Select(WarmUpService)).ToList();
        for (var start = 0; start < services.Count; start += ServicesPerWrite)
        {
            var batch = services.Skip(start).Take(ServicesPerWrite).ToList();
            await BenchServices.ApplyAsync(store, batch, start, WorkflowYaml, cancellationToken, routes: true);

            var instances = new GuardedTxn();
            foreach (var (name, i) in batch.Select((name, i) => (name, start + i)))
            {
                foreach (var (version, offset) in new[] { ("v1", 0), ("v2", 1) })
                {
                    var instance = new Instance
                    {
                        Service = name, Id = $"{name}-{version}", Version = version, Address = "127.0.0.1", Port = 30000 + (2 * i) + offset,
                        Labels = new Dictionary<string, string> { ["version"] = version },
                    };
                    instances.Put(etcd.Keys.Instance(name, instance.Id), InstanceCodec.Write(instance), lease);
                }
            }

            await instances.CommitAsync(etcd, cancellationToken);
        }
    }

    /// <summary>Quick steps that need no Docker and no Prometheus; the untimed pause holds every release active at once.</summary>
    private const string WorkflowYaml = $$"""
        apiVersion: lightmesh.io/v1
        kind: ReleaseWorkflow
        metadata: {name: {{Workflow}}}
        spec:
          steps:
          - deploy: {}
          - setWeight: 10
          - setWeight: 50
          - pause: {}
          - promote: {}
        """;

    /// <summary>
    /// Times K guarded single-key transactions (compare the key's revision, put: the shape of a release's save) and a
    /// few reads of every stored document (what each route step does several times), with nothing else running.
    /// </summary>
    private static async Task<ReleaseBenchFigures> MeasureEtcdAsync(EtcdConnection etcd, Settings settings, CancellationToken cancellationToken)
    {
        const int warmUp = 10;
        var key = $"{etcd.Options.Prefix}bench/scratch";
        var round = new List<double>();
        long modRevision = 0;
        for (var i = -warmUp; i < settings.RoundTrips; i++)
        {
            var (elapsed, revision) = await GuardedPutAsync(etcd, key, modRevision, cancellationToken);
            modRevision = revision;
            if (i >= 0)
            {
                round.Add(elapsed);
            }
        }

        var store = new DocumentStore(etcd);
        var reads = new List<double>();
        for (var i = -3; i < DocumentReads; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await store.ReadAsync(cancellationToken);
            if (i >= 0)
            {
                reads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return new ReleaseBenchFigures { Releases = settings.Releases, EtcdTxnIdle = LatencySummary.Of(round), DocumentRead = LatencySummary.Of(reads) };
    }

    /// <summary>The same guarded put every 100 ms while the releases run, to see what the engine's load does to etcd.</summary>
    private static async Task<IReadOnlyList<double>> SampleEtcdAsync(EtcdConnection etcd, CancellationToken cancellationToken)
    {
        var key = $"{etcd.Options.Prefix}bench/loaded";
        var samples = new List<double>();
        long modRevision = 0;
        try
        {
            while (true)
            {
                await Task.Delay(100, cancellationToken);
                var (elapsed, revision) = await GuardedPutAsync(etcd, key, modRevision, cancellationToken);
                modRevision = revision;
                samples.Add(elapsed);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return samples;
        }
    }

    private static async Task<(double Milliseconds, long Revision)> GuardedPutAsync(EtcdConnection etcd, string key, long modRevision, CancellationToken cancellationToken)
    {
        var txn = new GuardedTxn().AsRead(key, modRevision).Put(key, modRevision.ToString(CultureInfo.InvariantCulture));
        var started = Stopwatch.GetTimestamp();
        var (succeeded, revision) = await txn.CommitAsync(etcd, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return succeeded ? (elapsed, revision) : throw new LightMeshException($"{key} changed under the benchmark");
    }

    // Waiting for the releases: read from etcd, not through the controller, so the polling costs it nothing.

    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan WarmUpTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Takes <c>--warm-up</c> releases through every step at once, so the measured releases do not pay for the controller's
    /// JIT: with dynamic PGO a method is compiled again, instrumented, after about 30 calls, and at its final tier after
    /// about 30 more, so the warm-up calls each release path at least twice that often.
    /// </summary>
    private static async Task WarmUpAsync(ReleaseApi api, ReleaseStore store, Settings settings, CancellationToken cancellationToken)
    {
        var services = Enumerable.Range(0, settings.WarmUp).Select(WarmUpService).ToList();
        var started = await api.StartAllAsync(services, settings.Concurrency, cancellationToken);
        if (started.Ids.Count < services.Count)
        {
            throw new LightMeshException($"{services.Count - started.Ids.Count} of {services.Count} warm-up releases did not start: {started.Failure}");
        }

        var ids = started.Ids.ToHashSet(StringComparer.Ordinal);
        var paused = await WaitForAsync(store, ids, s => AtPauseStep(s) || s.IsFinished, "at the pause", WarmUpTimeout, cancellationToken);
        var resumed = paused.Done ? await api.ResumeAllAsync([.. paused.States.Where(AtPauseStep).Select(s => s.Id)], settings.Concurrency, cancellationToken) : null;
        var finished = resumed is not null ? await WaitForAsync(store, ids, s => s.IsFinished, "ended", WarmUpTimeout, cancellationToken) : paused;
        if (finished.States.FirstOrDefault(s => s.Phase != ReleasePhase.Succeeded) is { } failed)
        {
            var events = failed.Events.Select(e => $"{e.Action}: {e.Reason}");
            throw new LightMeshException($"warm-up release {failed.Id} did not succeed within {WarmUpTimeout.TotalSeconds} s{(resumed?.Failure is { } f ? $" (resume: {f})" : "")}: {string.Join("; ", events)}");
        }
    }

    /// <summary>Polls until every release in <paramref name="ids"/> is <paramref name="done"/>, or the time is up.</summary>
    internal static async Task<(IReadOnlyList<ReleaseState> States, bool Done)> WaitForAsync(
        ReleaseStore store, HashSet<string> ids, Func<ReleaseState, bool> done, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var progress = Stopwatch.StartNew();
        while (true)
        {
            var states = await store.GetManyAsync([.. ids], cancellationToken);
            var count = states.Count(done);
            if (count == ids.Count || waited.Elapsed >= timeout)
            {
                return (states, count == ids.Count);
            }

            if (progress.Elapsed >= ProgressEvery && ids.Count > 1)
            {
                Printer.Error($"bench: {waited.Elapsed.TotalSeconds:F0} s: {count} of {ids.Count} {what}; {PhasesOf(states)}");
                progress.Restart();
            }

            await Task.Delay(PollEvery, cancellationToken);
        }
    }

    /// <summary>How many releases are in each phase, and at which step the unfinished ones are.</summary>
    private static string PhasesOf(IReadOnlyList<ReleaseState> states) =>
        string.Join(", ", states
            .GroupBy(s => s.IsFinished ? s.Phase.ToString() : $"{s.Phase} at {s.CurrentStep?.Type ?? "the end"}{(s.RollingBack is null ? "" : " (rolling back)")}")
            .OrderByDescending(g => g.Count())
            .Select(g => $"{g.Count()} {g.Key}"));

    // The figures read from the releases' event logs, and the table they are printed in.

    /// <summary>
    /// The step transitions up to the pause, from each paused release's event log (the controller's clock): started →
    /// deploy done (this includes waiting for a free worker) → setWeight done → setWeight done. The pause is entered
    /// in the same decision and the same write as the second setWeight's end, so that gap is always zero.
    /// </summary>
    private static ReleaseBenchFigures WithTransitions(ReleaseBenchFigures figures, IReadOnlyList<ReleaseState> states)
    {
        var deploys = new List<double>();
        var weights = new List<double>();
        var pauseGap = 0.0;
        foreach (var state in states.Where(AtPauseStep))
        {
            var marks = state.Events.Where(e => e.Action is "started" or "deploy done" or "setWeight done" or "paused").Select(e => e.At).ToList();
            if (marks.Count < 5)
            {
                continue;
            }

            deploys.Add((marks[1] - marks[0]).TotalMilliseconds);
            weights.Add((marks[2] - marks[1]).TotalMilliseconds);
            weights.Add((marks[3] - marks[2]).TotalMilliseconds);
            pauseGap = Math.Max(pauseGap, (marks[4] - marks[3]).TotalMilliseconds);
        }

        if (pauseGap > 0)
        {
            Printer.Error($"bench: setWeight done -> paused took up to {pauseGap:F1} ms (expected 0: one decision)");
        }

        var starts = states.SelectMany(s => s.Events.Where(e => e.Action == "started")).Select(e => e.At).ToList();
        var pauses = states.Where(AtPauseStep).SelectMany(s => s.Events.Where(e => e.Action == "paused")).Select(e => e.At).ToList();
        ReportRollbacks(states, "before the pause");
        return figures with
        {
            Paused = deploys.Count,
            RolledBackBeforePause = RolledBack(states),
            Phases = PhasesOf(states),
            Deploy = LatencySummary.Of(deploys),
            SetWeight = LatencySummary.Of(weights),
            Transitions = LatencySummary.Of(deploys.Concat(weights)),
            StartToAllPaused = starts.Count > 0 && pauses.Count > 0 ? pauses.Max() - starts.Min() : null,
        };
    }

    private static ReleaseBenchFigures WithEndings(ReleaseBenchFigures figures, IReadOnlyList<ReleaseState> states)
    {
        var resumes = states.SelectMany(s => s.Events.Where(e => e.Action == "resumed")).Select(e => e.At).ToList();
        var ends = states.Where(s => s.IsFinished && s.Events.Any(e => e.Action == "resumed")).Select(s => s.Events[^1].At).ToList();
        var resumed = states.Where(s => s.Events.Any(e => e.Action == "resumed")).ToList();
        ReportRollbacks(resumed, "after the resume");
        return figures with
        {
            RolledBackAfterResume = RolledBack(resumed),
            Succeeded = states.Count(s => s.Phase == ReleasePhase.Succeeded),
            FinalPhases = PhasesOf(states),
            ResumeToAllFinished = resumes.Count > 0 && ends.Count > 0 ? ends.Max() - resumes.Min() : null,
        };
    }

    private static int RolledBack(IEnumerable<ReleaseState> states) => states.Count(s => s.Events.Any(e => e.Action == "rolling back"));

    /// <summary>Why releases rolled back, most frequent first: at this scale that is a finding, not noise.</summary>
    private static void ReportRollbacks(IReadOnlyList<ReleaseState> states, string when)
    {
        var reasons = states.SelectMany(s => s.Events.Where(e => e.Action == "rolling back").Take(1))
            .GroupBy(e => e.Reason.Length > 160 ? e.Reason[..160] : e.Reason)
            .OrderByDescending(g => g.Count())
            .Take(5);
        foreach (var reason in reasons)
        {
            Printer.Error($"bench: {reason.Count()} rolled back {when}: {reason.Key}");
        }
    }

    private static void Report(Settings settings, ReleaseBenchFigures f)
    {
        var etcd = f.EtcdTxnIdle.P50;
        var overhead = f.Transitions.Minus(RoundTripsPerTransition * etcd);
        // Per release that is active (waiting at its pause): the ones that rolled back have ended.
        double PerRelease(Func<MemoryReading, double?> of) =>
            f.Idle is { } idle && f.AllPaused is { } paused && of(idle) is { } before && of(paused) is { } after && f.Paused > 0 ? (after - before) / f.Paused / 1024 : double.NaN;
        double PerAdded(Func<MemoryReading, double?> of) =>
            f.AllPaused is { } first && f.MorePaused is { } more && of(first) is { } before && of(more) is { } after && f.AddedPaused > 0 ? (after - before) / f.AddedPaused / 1024 : double.NaN;
        var steps = f.StartToAllPaused is { } took ? 3 * f.Paused / took.TotalSeconds : double.NaN;
        (string Name, string Value)[] rows =
        [
            ("releases", Int(f.Releases)),
            ("ended releases in etcd before the run", Int(f.History)),
            ("warm-up releases, taken to the end first", Int(settings.WarmUp)),
            ("started (201 from the API)", Int(f.Started)),
            ("start request p50 / p99 (ms)", Pair(f.StartRequest)),
            ("all start requests answered (s)", Seconds(f.Submitting)),
            ("etcd guarded txn, idle p50 / p99 (ms)", Pair(f.EtcdTxnIdle)),
            ("etcd guarded txn, during the run p50 / p99 (ms)", Pair(f.EtcdTxnLoaded)),
            ("read of every document p50 (ms)", Ms(f.DocumentRead.P50)),
            ("reached the untimed pause", Int(f.Paused)),
            ("rolled back before the pause", Int(f.RolledBackBeforePause)),
            ("first start -> all at the pause (s)", Seconds(f.StartToAllPaused)),
            ("steps done per second (3 per release)", steps.ToString("F1", CultureInfo.InvariantCulture)),
            ("started -> deploy done p50 / p99 / max (ms)", Triple(f.Deploy)),
            ("-> setWeight done p50 / p99 / max (ms)", Triple(f.SetWeight)),
            ("all 3 transitions p50 / p99 / max (ms)", Triple(f.Transitions)),
            ($"overhead beyond {RoundTripsPerTransition} etcd round trips p50 / p99 / max (ms)", Triple(overhead)),
            ("server CPU, start to all paused (cores)", f.ServerCpuCores?.ToString("F2", CultureInfo.InvariantCulture) ?? "-"),
            ("server JIT quiet after the warm-up (s)", JitActivity.Settled(f.JitSettled, f.JitQuiet)),
            ("server JIT compiling, start to all paused (s)", f.JitDuringRun?.ToString("F2", CultureInfo.InvariantCulture) ?? "-"),
            ("server RSS idle -> all paused (MiB)", $"{Mib(f.Idle?.Resident)} -> {Mib(f.AllPaused?.Resident)}"),
            ("server RSS per active release (KiB)", Ms(PerRelease(m => m.Resident))),
            ("server GC heap after last GC idle -> all paused (MiB)", $"{Mib(f.Idle?.HeapAfterGc)} -> {Mib(f.AllPaused?.HeapAfterGc)}"),
            ("server GC heap per active release (KiB)", Ms(PerRelease(m => m.HeapAfterGc))),
            ("server live heap (after a full GC) idle -> all paused (MiB)", $"{Mib(f.Idle?.LiveHeap)} -> {Mib(f.AllPaused?.LiveHeap)}"),
            ("server live heap per active release (KiB)", Ms(PerRelease(m => m.LiveHeap))),
            .. settings.Then == 0 ? [] : new (string Name, string Value)[]
            {
                ($"then {settings.Then} more at their pause: server RSS (MiB)", Mib(f.MorePaused?.Resident)),
                ("server RSS per added active release (KiB)", Ms(PerAdded(m => m.Resident))),
                ("server GC heap per added active release (KiB)", Ms(PerAdded(m => m.HeapAfterGc))),
                ("server live heap per added active release (KiB)", Ms(PerAdded(m => m.LiveHeap))),
            },
            ("server threads idle -> all paused", $"{f.Idle?.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"} -> {f.AllPaused?.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"}"),
            ("first resume -> all ended (s)", Seconds(f.ResumeToAllFinished)),
            ("succeeded", Int(f.Succeeded)),
            ("rolled back after the resume", Int(f.RolledBackAfterResume)),
            ("release keys in etcd after the run", f.HistoryKept?.ToString(CultureInfo.InvariantCulture) ?? "-"),
            ("API first page of releases p50 / p99 (ms)", Pair(f.ListPage)),
            ("server log warnings / errors", $"{f.LogWarnings} / {f.LogErrors}"),
        ];
        BenchRows.Print(rows, settings.Output);
    }

    private static string Pair(LatencySummary s) => s.Count == 0 ? "-" : $"{Ms(s.P50)} / {Ms(s.P99)}";

    private static string Triple(LatencySummary s) => s.Count == 0 ? "-" : $"{Ms(s.P50)} / {Ms(s.P99)} / {Ms(s.Max)}";

    private static string Seconds(TimeSpan? value) => value?.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) ?? "-";
}
