using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using LightMesh.Cli;
using LightMesh.Client;
using LightMesh.Cli.Commands;
using LightMesh.Cli.Output;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Leases;
using LightMesh.Etcd.Releases;
using LightMesh.Etcd;
using Spectre.Console.Cli;
using Spectre.Console;
using static LightMesh.Bench.BenchRows;

namespace LightMesh.Bench;

/// <summary>
/// <c>lightmesh-bench hooks</c>: signed generic webhook deliveries at a fixed rate for a fixed time against a controller
/// in its own process, some of them redeliveries of an earlier delivery (while it is in flight, or later); then checks
/// through the API that every delivery started exactly one release, no more, and that every answer's release exists.
/// </summary>
public sealed partial class BenchHooksCommand : AsyncCommand<BenchHooksCommand.Settings>
{
    public const string Workflow = "bench-hook";

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    // How long after the last answer the run's releases are given to have their first step done.
    private static readonly TimeSpan FirstStepTimeout = TimeSpan.FromSeconds(60);

    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--rate <N>")]
        [Description("Deliveries sent per second, redeliveries included. Default: 100")]
        public int Rate { get; init; } = 100;

        [CommandOption("--duration <DURATION>")]
        [Description("How long deliveries are sent. Default: 60s")]
        public string Duration { get; init; } = "60s";

        [CommandOption("--redeliveries <FRACTION>")]
        [Description("Share of the deliveries that send an earlier delivery again (same id and body). Default: 0.1")]
        public double Redeliveries { get; init; } = 0.1;

        [CommandOption("--services <N>")]
        [Description("Services the deliveries rotate over; each can have one active release. Default: 1000")]
        public int Services { get; init; } = 1000;

        [CommandOption("--max-in-flight <N>")]
        [Description("Deliveries awaiting their answer at once; the sender waits beyond it (the achieved rate says so). Default: 500")]
        public int MaxInFlight { get; init; } = 500;

        [CommandOption("--seed <N>")]
        [Description("Seed of the choice of redeliveries, so a run can be repeated. Default: 1")]
        public int Seed { get; init; } = 1;

        [CommandOption("--warm-up <W>")]
        [Description("Deliveries sent one at a time before the run, each starting a release of a service of its own, so the controller has compiled its webhook and release paths at the second tier (with dynamic PGO a method is compiled again after about 30 calls and once more after about 30 further ones). Default: 150")]
        public int WarmUp { get; init; } = 150;

        [CommandOption("--jit-settle <DURATION>")]
        [Description("After the warm-up, wait up to this long for the controller's JIT to go quiet, so that it does not run beside the measured deliveries; 0s does not wait. Default: 60s")]
        public string JitSettle { get; init; } = "60s";

        [CommandOption("--server-log <FILE>")]
        [Description("Write the controller's log to this file.")]
        public string? ServerLog { get; init; }

        public TimeSpan Window => BenchDurations.Of(Duration);

        public TimeSpan JitSettleLimit => BenchDurations.Of(JitSettle);

        /// <summary>How many deliveries the run sends: the rate times the window.</summary>
        public int Total => (int)Math.Round(Rate * Window.TotalSeconds);

        public override ValidationResult Validate()
        {
            var errors = new List<string>();
            if (Rate is < 1 or > 1000)
            {
                errors.Add($"--rate: {Rate} must be 1..1000");
            }

            if (BenchDurations.Check("--duration", Duration, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)) is { } duration)
            {
                errors.Add(duration);
            }

            if (Redeliveries is < 0 or > 0.5 || double.IsNaN(Redeliveries))
            {
                errors.Add($"--redeliveries: {Redeliveries} must be 0..0.5");
            }

            if (Services is < 1 or > 10000)
            {
                errors.Add($"--services: {Services} must be 1..10000");
            }

            if (MaxInFlight is < 1 or > 5000)
            {
                errors.Add($"--max-in-flight: {MaxInFlight} must be 1..5000");
            }

            if (WarmUp is < 1 or > 1000)
            {
                errors.Add($"--warm-up: {WarmUp} must be 1..1000");
            }

            if (BenchDurations.Check("--jit-settle", JitSettle, TimeSpan.Zero, TimeSpan.FromMinutes(10)) is { } jitSettle)
            {
                errors.Add(jitSettle);
            }

            return errors.Count > 0 ? ValidationResult.Error(string.Join("; ", errors)) : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (etcdOptions, etcd) = await BenchPrefix.OpenAsync(settings.ToEtcdOptions(), cancellationToken);
        using var _ = etcd;

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.MaxInFlight }) { Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            await using var lease = await KeptLease.GrantAsync(etcd, TimeSpan.FromSeconds(30), TimeProvider.System, cancellationToken);
            var services = await PopulateAsync(etcd, new BenchInstances(etcd, lease.Id), settings.Services, settings.WarmUp, cancellationToken);
            Printer.Error($"bench: {settings.Services} services (+{settings.WarmUp} to warm up), their v1, v2 and v3 instances and workflow {Workflow} written under {etcdOptions.Prefix}");
            await using var server = await BenchController.StartAsync(
                etcdOptions, ["--poll-interval", "100ms", "--drain-delay", "0s"], new Dictionary<string, string> { ["LightMesh__Hooks__Generic__Secret"] = secret },
                settings.ServerLog, cancellationToken);
            Printer.Error($"bench: controller pid {server.Id} leads, API on {server.Api}");
            return await MeasureAsync(etcd, http, server, new HookSender(http, server.Api, secret), services, settings, cancellationToken);
        }
        finally
        {
            await BenchPrefix.DeleteAsync(etcd);
        }
    }

    private static async Task<int> MeasureAsync(
        EtcdConnection etcd, HttpClient http, BenchController server, HookSender sender, IReadOnlyList<string> services, Settings settings, CancellationToken cancellationToken)
    {
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

        // A few deliveries first, one at a time: the controller pays for compiling its webhook and release paths before the idle reading.
        var warmUp = new List<HookAnswer>();
        for (var i = 0; i < settings.WarmUp; i++)
        {
            warmUp.Add(await sender.SendAsync(sender.Delivery($"{runId}-warmup-{i}", WarmUpService(i), ServiceRotation.Versions[1]), DeliveryKind.First, cancellationToken));
        }

        if (warmUp.FirstOrDefault(a => a.Status != 202) is { } refused)
        {
            throw new LightMeshException($"a warm-up delivery was refused: {refused.Status} {refused.Problem}");
        }

        var figures = new HookBenchFigures { Settings = settings, WarmUp = warmUp };
        var (jitSettled, jitQuiet) = await JitActivity.SettleAfterWarmUpAsync(server.Scraped, http, settings.JitSettleLimit, cancellationToken);
        figures = figures with { JitSettled = jitSettled, JitQuiet = jitQuiet };

        await Task.Delay(Settle, cancellationToken);
        figures = figures with { Idle = await MemoryReading.TakeAsync(server, http, cancellationToken) };
        var jit = await JitActivity.SecondsAsync(server.Scraped, http, cancellationToken);
        var cpu = ProcessMeter.CpuTime(server.Id);
        var wall = Stopwatch.StartNew();
        Printer.Error($"bench: sending {settings.Total} deliveries at {settings.Rate}/s for {settings.Duration}, {settings.Redeliveries:P0} of them redeliveries");
        var run = await new DeliveryRun(sender, new ServiceRotation(services, etcd), settings, runId).RunAsync(cancellationToken);
        figures = figures with
        {
            Answers = run.Answers, SendWindow = run.SendWindow, AnsweredWindow = wall.Elapsed, ServerCpuCores = (ProcessMeter.CpuTime(server.Id) - cpu) / wall.Elapsed,
            JitDuringRun = await JitActivity.SecondsAsync(server.Scraped, http, cancellationToken) - jit,
            Loaded = await MemoryReading.TakeAsync(server, http, cancellationToken),
        };

        var (firstSteps, withoutFirstStep) = await FirstStepsAsync(new ReleaseStore(etcd), run.Answers, cancellationToken);
        var byStart = firstSteps.OrderBy(f => f.Started).Select(f => f.Milliseconds).ToList();
        figures = figures with
        {
            FirstStep = LatencySummary.Of(byStart),
            FirstStepEarlier = LatencySummary.Of(byStart.Take(byStart.Count / 2)),
            FirstStepLater = LatencySummary.Of(byStart.Skip(byStart.Count / 2)),
            WithoutFirstStep = withoutFirstStep,
        };

        using var api = new ReleaseClient(server.Api, TimeSpan.FromSeconds(120), server.Token, "the benchmark");
        var checks = await CheckAsync(api, [.. warmUp, .. run.Answers], cancellationToken);
        figures = figures with { Checks = checks, LogWarnings = server.Warnings, LogErrors = server.Errors };
        Report(settings, figures);
        server.PrintFirstLogProblems();
        var failed = checks.Lost + checks.DuplicateReleases + checks.Unannounced > 0 || figures.Count(AnswerKind.Started) == 0;
        Printer.Error(failed
            ? $"bench: FAILED: {checks.Lost} lost, {checks.DuplicateReleases} delivery(ies) with more than one release, {checks.Unannounced} release(s) no delivery announced, {figures.Count(AnswerKind.Started)} started"
            : "bench: every delivery started at most one release, and every release it answered exists");
        return failed ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static string ServiceName(int index) => $"bench-hook-{index:D4}";

    private static string WarmUpService(int index) => $"bench-hook-warmup-{index}";

    // The benchmark's world in etcd: the services its deliveries release, and a quick workflow.

    private const int ServicesPerWrite = 50; // 100 documents: under etcd's default 128 operations per transaction

    /// <summary>
    /// Steps that need no Docker and no Prometheus, and end at once with no proxy connected: <c>deploy</c> prepares the
    /// routes and finds the new version's instance (registered from the start, as if CI had deployed it), then
    /// <c>promote</c> gives it all traffic, makes it the stable version, and sends everything to stable.
    /// </summary>
    private const string WorkflowYaml = $$"""
        apiVersion: lightmesh.io/v1
        kind: ReleaseWorkflow
        metadata: {name: {{Workflow}}}
        spec:
          steps:
          - deploy: {}
          - promote: {}
        """;

    /// <summary>
    /// Writes the workflow and, per service (N to measure, plus the warm-up's), a Service without deploy, a
    /// DestinationRule whose stable subset is v1, and a live instance of v1, v2 and v3. Returns the N services to measure with.
    /// </summary>
    private static async Task<IReadOnlyList<string>> PopulateAsync(EtcdConnection etcd, BenchInstances instances, int count, int warmUp, CancellationToken cancellationToken)
    {
        var store = new DocumentStore(etcd);
        var measured = Enumerable.Range(0, count).Select(ServiceName).ToList();
        var all = measured.Concat(Enumerable.Range(0, warmUp).Select(WarmUpService)).ToList();
        for (var start = 0; start < all.Count; start += ServicesPerWrite)
        {
            var batch = all.Skip(start).Take(ServicesPerWrite).ToList();
            foreach (var version in ServiceRotation.Versions)
            {
                await instances.RegisterAsync(batch, version, cancellationToken);
            }

            await BenchServices.ApplyAsync(store, batch, start, WorkflowYaml, cancellationToken);
        }

        return measured;
    }

    // The table the run is reported in (or JSON with <c>-o json</c>), and the first few problems it met.

    private static void Report(Settings settings, HookBenchFigures f)
    {
        var latency = LatencySummary.Of(f.Answers.Select(a => a.Milliseconds));
        var started = LatencySummary.Of(f.Answers.Where(a => a.Outcome == AnswerKind.Started).Select(a => a.Milliseconds));
        var checks = f.Checks ?? new HookChecks();
        var rows = new (string Name, string Value)[]
        {
            ("sent", Int(f.Answers.Count)),
            ("sent first / again while unanswered / again later", $"{Int(f.Count(DeliveryKind.First))} / {Int(f.Count(DeliveryKind.Concurrent))} / {Int(f.Count(DeliveryKind.Later))}"),
            ("rate asked / achieved (per s)", $"{Int(settings.Rate)} / {Rate(f.Answers.Count, f.SendWindow)}"),
            ("sending took / until the last answer (s)", $"{Seconds(f.SendWindow)} / {Seconds(f.AnsweredWindow)}"),
            ("accepted: 202, release started", Int(f.Count(AnswerKind.Started))),
            ("duplicates answered: 202, duplicate", Int(f.Count(AnswerKind.Duplicate))),
            ("refused: 409, service busy", Int(f.Count(AnswerKind.Busy))),
            ("refused: 409, delivery still being handled", Int(f.Count(AnswerKind.Pending))),
            ("refused: 400, sent again once its version was stable", Int(f.Count(AnswerKind.Outdated))),
            ("errors: other answers or none", Int(f.Count(AnswerKind.Error))),
            ("releases the API lists", Int(checks.Releases)),
            ("lost", Int(checks.Lost)),
            ("duplicate releases", Int(checks.DuplicateReleases)),
            ("unannounced releases", Int(checks.Unannounced)),
            ("lone delivery before the run (warm-up, last half) p50 / max (ms)", Pair(LatencySummary.Of(f.WarmUp.Skip(f.WarmUp.Count / 2).Select(a => a.Milliseconds)))),
            ("answer p50 / p95 / p99 / max (ms)", Quad(latency)),
            ("answer that started a release p50 / p95 / p99 / max (ms)", Quad(started)),
            ("release started -> its first step done p50 / p95 / p99 / max (ms)", f.FirstStep is { } firstStep ? Quad(firstStep) : "-"),
            ("release started -> its first step done p99: the first half started / the second (ms)",
                f.FirstStepEarlier is { Count: > 0 } earlier && f.FirstStepLater is { Count: > 0 } later ? $"{Ms(earlier.P99)} / {Ms(later.P99)}" : "-"),
            ($"releases started without their first step done {FirstStepTimeout.TotalSeconds:F0} s after the last answer", f.WithoutFirstStep?.ToString(CultureInfo.InvariantCulture) ?? "-"),
            ("server CPU while sending and answering (cores)", f.ServerCpuCores?.ToString("F2", CultureInfo.InvariantCulture) ?? "-"),
            ("server JIT quiet after the warm-up (s)", JitActivity.Settled(f.JitSettled, f.JitQuiet)),
            ("server JIT compiling while sending and answering (s)", f.JitDuringRun?.ToString("F2", CultureInfo.InvariantCulture) ?? "-"),
            ("server RSS idle -> after the run (MiB)", $"{Mib(f.Idle?.Resident)} -> {Mib(f.Loaded?.Resident)}"),
            ("server GC heap after last GC idle -> after the run (MiB)", $"{Mib(f.Idle?.HeapAfterGc)} -> {Mib(f.Loaded?.HeapAfterGc)}"),
            ("server threads idle -> after the run", $"{f.Idle?.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"} -> {f.Loaded?.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"}"),
            ("releases by phase at the check", checks.Phases),
            ("server log warnings / errors", $"{f.LogWarnings} / {f.LogErrors}"),
        };

        foreach (var error in f.Answers.Where(a => a.Outcome == AnswerKind.Error).GroupBy(a => $"{a.Status} {a.Problem}").OrderByDescending(g => g.Count()).Take(5))
        {
            Printer.Error($"bench: {error.Count()} error(s): {error.Key}");
        }

        foreach (var example in checks.Examples)
        {
            Printer.Error($"bench: {example}");
        }

        BenchRows.Print(rows, settings.Output);
    }

    private static string Pair(LatencySummary s) => s.Count == 0 ? "-" : $"{Ms(s.P50)} / {Ms(s.Max)}";

    private static string Quad(LatencySummary s) => s.Count == 0 ? "-" : $"{Ms(s.P50)} / {Ms(s.P95)} / {Ms(s.P99)} / {Ms(s.Max)}";

    private static string Rate(int count, TimeSpan? window) => window is { TotalSeconds: > 0 } w ? (count / w.TotalSeconds).ToString("F1", CultureInfo.InvariantCulture) : "-";

    private static string Seconds(TimeSpan? value) => value?.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>
    /// For each release a delivery of the run started, when it started and the time from then to its first step done, from
    /// its event log (the controller's clock), once each has one or has ended; and how many had neither within <see cref="FirstStepTimeout"/>.
    /// </summary>
    private static async Task<(IReadOnlyList<(DateTimeOffset Started, double Milliseconds)> FirstSteps, int Without)> FirstStepsAsync(ReleaseStore store, IReadOnlyList<HookAnswer> answers, CancellationToken cancellationToken)
    {
        var ids = answers.Where(a => a.Outcome == AnswerKind.Started && a.Release is not null).Select(a => a.Release!).ToHashSet(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return ([], 0);
        }

        var (states, _) = await BenchReleasesCommand.WaitForAsync(
            store, ids, s => FirstStepDone(s) is not null || s.IsFinished, "with their first step done or ended", FirstStepTimeout, cancellationToken);
        var done = states.Select(FirstStepDone).Where(f => f is not null).Select(f => f!.Value).ToList();
        return (done, ids.Count - done.Count);
    }

    /// <summary>When <paramref name="state"/> started and the milliseconds from then to its first step done; null while it has none.</summary>
    private static (DateTimeOffset Started, double Milliseconds)? FirstStepDone(ReleaseState state) =>
        state.Events.FirstOrDefault(e => e.Action == ReleaseEvents.Started) is { } started
        && state.Events.FirstOrDefault(ReleaseEvents.IsStepDone) is { } done
            ? (started.At, (done.At - started.At).TotalMilliseconds)
            : null;

    // The checks after the run, from the controller's API: every delivery started exactly the release it was answered with.

    private const int ExamplesKept = 5;

    // The webhook's actor names the delivery: "generic (delivery ID)".
    [GeneratedRegex(@"\(delivery (?<id>.+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex DeliveryOf();

    /// <summary>
    /// Lists every release once and matches it to the deliveries by the delivery id its actor names: each delivery
    /// answered 202 must name one release, the same on every answer, and that release must exist and be the only one
    /// started by that delivery; a delivery never answered 202 must have started none.
    /// </summary>
    private static async Task<HookChecks> CheckAsync(ReleaseClient api, IReadOnlyList<HookAnswer> answers, CancellationToken cancellationToken)
    {
        var listed = await api.ListAllAsync(new ReleaseListRequest(ReleaseQuery.MaxLimit), cancellationToken);
        var releases = listed.Value ?? throw new LightMeshException($"the release list could not be read: {string.Join("; ", listed.Errors)}");
        var ids = releases.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var byDelivery = releases
            .Select(r => (Release: r.Id, Match: DeliveryOf().Match(r.StartedBy)))
            .ToLookup(r => r.Match.Success ? r.Match.Groups["id"].Value : "", r => r.Release, StringComparer.Ordinal);
        var examples = new List<string>();
        var (lost, duplicated, unannounced) = (0, 0, 0);
        foreach (var delivery in answers.GroupBy(a => a.Delivery.Id, StringComparer.Ordinal))
        {
            var answered = delivery.Where(a => a.Status == 202 && a.Release is not null).Select(a => a.Release!).Distinct(StringComparer.Ordinal).ToList();
            var started = byDelivery[delivery.Key].ToList();
            if (answered.Count > 0 && !answered.All(ids.Contains))
            {
                lost++;
                Note(examples, $"delivery {delivery.Key}: answered with {string.Join(", ", answered)}, which the API does not have");
            }

            if (answered.Count > 1 || started.Count > 1 || answered.Count == 1 && started.Count == 1 && answered[0] != started[0])
            {
                duplicated++;
                Note(examples, $"delivery {delivery.Key}: answered with {string.Join(", ", answered)}; releases started by it: {string.Join(", ", started)}");
            }

            if (answered.Count == 0 && started.Count > 0)
            {
                unannounced++;
                Note(examples, $"delivery {delivery.Key}: never answered 202, yet started {string.Join(", ", started)}");
            }
        }

        // A release that names no delivery of this run was started by something else on the benchmark's prefix.
        var sentIds = answers.Select(a => a.Delivery.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var stray in byDelivery.Where(g => !sentIds.Contains(g.Key)).SelectMany(g => g))
        {
            unannounced++;
            Note(examples, $"release {stray}: no delivery of this run started it");
        }

        var phases = string.Join(", ", releases.GroupBy(r => r.Phase).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"));
        return new HookChecks { Releases = releases.Count, Lost = lost, DuplicateReleases = duplicated, Unannounced = unannounced, Phases = phases, Examples = examples };
    }

    private static void Note(List<string> examples, string problem)
    {
        if (examples.Count < ExamplesKept)
        {
            examples.Add(problem);
        }
    }
}
