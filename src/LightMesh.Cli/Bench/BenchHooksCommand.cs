using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using LightMesh.Cli.Commands;
using LightMesh.Core;
using LightMesh.Etcd;
using LightMesh.Etcd.Leases;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Bench;

/// <summary>
/// <c>lightmesh bench hooks</c>: signed generic webhook deliveries at a fixed rate for a fixed time against a controller
/// in its own process, some of them redeliveries of an earlier delivery (while it is in flight, or later); then checks
/// through the API that every delivery started exactly one release, no more, and that every answer's release exists.
/// </summary>
public sealed partial class BenchHooksCommand : AsyncCommand<BenchHooksCommand.Settings>
{
    public const string Workflow = "bench-hook";

    private const int WarmUpDeliveries = 10;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

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

        [CommandOption("--server-log <FILE>")]
        [Description("Write the controller's log to this file.")]
        public string? ServerLog { get; init; }

        public TimeSpan Window => Core.Validation.Duration.TryParse(Duration, out var d) ? d.Value : TimeSpan.Zero;

        /// <summary>How many deliveries the run sends: the rate times the window.</summary>
        public int Total => (int)Math.Round(Rate * Window.TotalSeconds);

        public override ValidationResult Validate()
        {
            var errors = new List<string>();
            if (Rate is < 1 or > 1000)
            {
                errors.Add($"--rate: {Rate} must be 1..1000");
            }

            if (!Core.Validation.Duration.TryParse(Duration, out var window) || window.Value < TimeSpan.FromSeconds(1) || window.Value > TimeSpan.FromMinutes(10))
            {
                errors.Add($"--duration: \"{Duration}\" must be a duration of 1s..10m");
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

            return errors.Count > 0 ? ValidationResult.Error(string.Join("; ", errors)) : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // The benchmark deletes its prefix at the end, so it only ever uses a fresh one or one the caller vouches is empty.
        var given = settings.ToEtcdOptions();
        var fresh = given.Prefix == EtcdOptions.DefaultPrefix;
        var etcdOptions = given with { Prefix = fresh ? $"/lightmesh-bench-{Guid.NewGuid():N}/" : given.Prefix, RequestTimeout = TimeSpan.FromSeconds(30) };
        using var etcd = new EtcdConnection(etcdOptions, TimeProvider.System);
        if (!fresh && (await etcd.RangePrefixAsync(etcdOptions.Prefix, 0, cancellationToken)).Count is > 0 and var keys)
        {
            throw new InvalidInputException($"--prefix: {etcdOptions.Prefix} holds {keys} keys; the benchmark deletes its prefix when done, so give an empty one");
        }

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.MaxInFlight }) { Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            await using var lease = await KeptLease.GrantAsync(etcd, TimeSpan.FromSeconds(30), TimeProvider.System, cancellationToken);
            var services = await PopulateAsync(etcd, new BenchInstances(etcd, lease.Id), settings.Services, cancellationToken);
            Output.Printer.Error($"bench: {settings.Services} services (+{WarmUpDeliveries} to warm up), their v1, v2 and v3 instances and workflow {Workflow} written under {etcdOptions.Prefix}");
            await using var server = await ControllerProcess.StartAsync(
                etcdOptions, ["--poll-interval", "100ms", "--drain-delay", "0s"], new Dictionary<string, string> { ["LightMesh__Hooks__Generic__Secret"] = secret },
                settings.ServerLog, cancellationToken);
            Output.Printer.Error($"bench: controller pid {server.Id} leads, API on {server.Api}");
            return await MeasureAsync(etcd, http, server, new HookSender(http, server.Api, secret), services, settings, cancellationToken);
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await new GuardedTxn().DeletePrefix(etcdOptions.Prefix).CommitAsync(etcd, cleanup.Token);
        }
    }

    private static async Task<int> MeasureAsync(
        EtcdConnection etcd, HttpClient http, ControllerProcess server, HookSender sender, IReadOnlyList<string> services, Settings settings, CancellationToken cancellationToken)
    {
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

        // A few deliveries first, one at a time: the controller pays for compiling its webhook and release paths before the idle reading.
        var warmUp = new List<HookAnswer>();
        for (var i = 0; i < WarmUpDeliveries; i++)
        {
            warmUp.Add(await sender.SendAsync(sender.Delivery($"{runId}-warmup-{i}", WarmUpService(i), ServiceRotation.Versions[1]), DeliveryKind.First, cancellationToken));
        }

        if (warmUp.FirstOrDefault(a => a.Status != 202) is { } refused)
        {
            throw new LightMeshException($"a warm-up delivery was refused: {refused.Status} {refused.Problem}");
        }

        await Task.Delay(Settle, cancellationToken);
        var figures = new HookBenchFigures { Settings = settings, WarmUp = warmUp, Idle = await MemoryReading.TakeAsync(server, http, cancellationToken) };
        var cpu = ProcessMeter.CpuTime(server.Id);
        var wall = Stopwatch.StartNew();
        Output.Printer.Error($"bench: sending {settings.Total} deliveries at {settings.Rate}/s for {settings.Duration}, {settings.Redeliveries:P0} of them redeliveries");
        var run = await new DeliveryRun(sender, new ServiceRotation(services, etcd), settings, runId).RunAsync(cancellationToken);
        figures = figures with
        {
            Answers = run.Answers, SendWindow = run.SendWindow, AnsweredWindow = wall.Elapsed, ServerCpuCores = (ProcessMeter.CpuTime(server.Id) - cpu) / wall.Elapsed,
            Loaded = await MemoryReading.TakeAsync(server, http, cancellationToken),
        };

        using var api = new Commands.Release.ReleaseClient(server.Api, TimeSpan.FromSeconds(120), server.Token, "the benchmark");
        var checks = await CheckAsync(api, [.. warmUp, .. run.Answers], cancellationToken);
        figures = figures with { Checks = checks, LogWarnings = server.Warnings, LogErrors = server.Errors };
        Report(settings, figures);
        var failed = checks.Lost + checks.DuplicateReleases + checks.Unannounced > 0 || figures.Count(AnswerKind.Started) == 0;
        Output.Printer.Error(failed
            ? $"bench: FAILED: {checks.Lost} lost, {checks.DuplicateReleases} delivery(ies) with more than one release, {checks.Unannounced} release(s) no delivery announced, {figures.Count(AnswerKind.Started)} started"
            : "bench: every delivery started at most one release, and every release it answered exists");
        return failed ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static string ServiceName(int index) => $"bench-hook-{index:D4}";

    private static string WarmUpService(int index) => $"bench-hook-warmup-{index}";
}
