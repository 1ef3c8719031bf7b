using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using LightMesh.Cli;
using LightMesh.Cli.Commands;
using LightMesh.Cli.Output;
using LightMesh.Client;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Leases;
using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using Spectre.Console;
using Spectre.Console.Cli;
using static LightMesh.Bench.BenchRows;

namespace LightMesh.Bench;

/// <summary>
/// <c>lightmesh-bench console</c>: what open consoles cost a controller. N releases run (a timed pause at every step,
/// so they keep changing); the controller's CPU is measured first with no console open, then with C consoles open on
/// the releases page, each following the changes as the page's script does (the stream's notice, then the page read
/// again).
/// </summary>
public sealed class BenchConsoleCommand : AsyncCommand<BenchConsoleCommand.Settings>
{
    public const string Workflow = "bench-console";

    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--consoles <N>")]
        [Description("Consoles open at once in the second half. Default: 50")]
        public int Consoles { get; init; } = 50;

        [CommandOption("--releases <N>")]
        [Description("Releases running through both halves. Default: 100")]
        public int Releases { get; init; } = 100;

        [CommandOption("--step <DURATION>")]
        [Description("How long each release's timed pauses last: each release changes about this often. Default: 10s")]
        public string Step { get; init; } = "10s";

        [CommandOption("--duration <DURATION>")]
        [Description("How long each half is measured. Default: 30s")]
        public string Duration { get; init; } = "30s";

        [CommandOption("--server-log <FILE>")]
        [Description("Write the controller's log to this file.")]
        public string? ServerLog { get; init; }

        public TimeSpan Window => BenchDurations.Of(Duration);

        public TimeSpan Pause => BenchDurations.Of(Step);

        public override ValidationResult Validate()
        {
            var errors = new List<string>();
            if (Consoles is < 1 or > 500)
            {
                errors.Add($"--consoles: {Consoles} must be 1..500");
            }

            if (Releases is < 1 or > 2000)
            {
                errors.Add($"--releases: {Releases} must be 1..2000");
            }

            errors.AddRange(new[]
            {
                BenchDurations.Check("--step", Step, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5)),
                BenchDurations.Check("--duration", Duration, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10)),
            }.OfType<string>());

            return errors.Count > 0 ? ValidationResult.Error(string.Join("; ", errors)) : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (etcdOptions, etcd) = await BenchPrefix.OpenAsync(settings.ToEtcdOptions(), cancellationToken);
        using var _ = etcd;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            await using var lease = await KeptLease.GrantAsync(etcd, TimeSpan.FromSeconds(30), TimeProvider.System, cancellationToken);
            var services = Enumerable.Range(0, settings.Releases).Select(i => $"bench-console-{i:D4}").ToList();
            await PopulateAsync(etcd, new BenchInstances(etcd, lease.Id), services, settings, cancellationToken);
            await using var server = await BenchController.StartAsync(etcdOptions, ["--poll-interval", "100ms", "--drain-delay", "0s"], new Dictionary<string, string>(), settings.ServerLog, cancellationToken);
            Printer.Error($"bench: controller pid {server.Id} leads, API on {server.Api}");
            return await MeasureAsync(etcd, http, server, services, settings, cancellationToken);
        }
        finally
        {
            await BenchPrefix.DeleteAsync(etcd);
        }
    }

    private static async Task<int> MeasureAsync(EtcdConnection etcd, HttpClient http, BenchController server, List<string> services, Settings settings, CancellationToken cancellationToken)
    {
        using var releases = new ReleaseClient(server.Api, TimeSpan.FromSeconds(60), server.Token, "the benchmark");
        foreach (var service in services)
        {
            var started = await releases.StartAsync(new StartBody(service, "v2", Workflow, null, null, "bench", null), cancellationToken);
            if (started.Value is null)
            {
                throw new LightMeshException($"release of {service} was refused: {string.Join("; ", started.Errors)}");
            }
        }

        var store = new ReleaseStore(etcd);
        await WaitAsync(store, services.Count, settings, cancellationToken);
        Printer.Error($"bench: {services.Count} releases running, each changing every {settings.Step}; measuring {settings.Duration} with no console open");

        var idleBefore = await MemoryReading.TakeAsync(server, http, cancellationToken);
        var idle = await CpuOverAsync(server, settings.Window, cancellationToken);

        var viewers = Enumerable.Range(0, settings.Consoles).Select(_ => new ConsoleViewer(server.Api, server.Token)).ToList();
        try
        {
            foreach (var viewer in viewers)
            {
                await viewer.SignInAsync(cancellationToken);
            }

            using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var watches = viewers.Select(v => v.WatchAsync(watching.Token)).ToList();
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            Printer.Error($"bench: {settings.Consoles} consoles open; measuring {settings.Duration}");
            var (reads, notices) = (viewers.Sum(v => v.Reads), viewers.Sum(v => v.Notices));
            var loaded = await CpuOverAsync(server, settings.Window, cancellationToken);
            var (readsAfter, noticesAfter) = (viewers.Sum(v => v.Reads), viewers.Sum(v => v.Notices));
            var withConsoles = await MemoryReading.TakeAsync(server, http, cancellationToken);
            await watching.CancelAsync();
            await Task.WhenAll(watches);

            var cost = loaded - idle;
            Print(
            [
                ("releases running", Int(settings.Releases)),
                ("each release changes every", settings.Step),
                ("consoles open", Int(settings.Consoles)),
                ("measured for (each half)", settings.Duration),
                ("controller CPU, no console (cores)", Cores(idle)),
                ("controller CPU, consoles open (cores)", Cores(loaded)),
                ("cost of the open consoles (cores)", Cores(cost)),
                ("notices sent to the consoles, per second", Ms((noticesAfter - notices) / settings.Window.TotalSeconds)),
                ("pages read by the consoles, per second", Ms((readsAfter - reads) / settings.Window.TotalSeconds)),
                ("resident memory, no console (MiB)", Ms(idleBefore.Resident / 1048576.0)),
                ("resident memory, consoles open (MiB)", Ms(withConsoles.Resident / 1048576.0)),
                ("GC heap after last collection, no console (MiB)", Ms((idleBefore.HeapAfterGc ?? double.NaN) / 1048576.0)),
                ("GC heap after last collection, consoles open (MiB)", Ms((withConsoles.HeapAfterGc ?? double.NaN) / 1048576.0)),
                ("log warnings / errors", $"{server.Warnings} / {server.Errors}"),
            ], settings.Output);
            server.PrintFirstLogProblems();
            return server.Errors > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }
        finally
        {
            viewers.ForEach(v => v.Dispose());
        }
    }

    private static string Cores(double cores) => cores.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>The controller's CPU over <paramref name="window"/>, in cores.</summary>
    private static async Task<double> CpuOverAsync(BenchController server, TimeSpan window, CancellationToken cancellationToken)
    {
        var cpu = ProcessMeter.CpuTime(server.Id);
        var wall = Stopwatch.StartNew();
        await Task.Delay(window, cancellationToken);
        return (ProcessMeter.CpuTime(server.Id) - cpu) / wall.Elapsed;
    }

    /// <summary>Waits until every release is past its deploy step, so both halves see releases only stepping.</summary>
    private static async Task WaitAsync(ReleaseStore store, int count, Settings settings, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var (ids, _) = await store.ActiveIdsAsync(cancellationToken);
            var states = await store.GetManyAsync(ids, cancellationToken);
            if (states.Count(s => s.Phase == ReleasePhase.Progressing && s.Step >= 1) >= count)
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new LightMeshException($"only {states.Count(s => s.Step >= 1)} of {count} releases got past their deploy step in 2 minutes");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    /// <summary>
    /// The services (no deploy; v1 stable, v1 and v2 registered) and a workflow of timed pauses long enough to outlast
    /// both halves: each pause ends with a weight change, so every release changes once per step.
    /// </summary>
    private static async Task PopulateAsync(EtcdConnection etcd, BenchInstances instances, List<string> services, Settings settings, CancellationToken cancellationToken)
    {
        var pauses = (int)Math.Ceiling((2 * settings.Window.TotalSeconds + 60) / settings.Pause.TotalSeconds) + 1;
        var steps = string.Concat(Enumerable.Range(1, pauses).Select(i => $"\n  - setWeight: {1 + (i % 90)}\n  - pause: {{duration: {settings.Step}}}"));
        var workflow = $"apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {{name: {Workflow}}}\nspec:\n  steps:\n  - deploy: {{}}{steps}\n  - promote: {{}}";
        var store = new DocumentStore(etcd);
        for (var start = 0; start < services.Count; start += 50)
        {
            var batch = services.Skip(start).Take(50).ToList();
            await BenchServices.ApplyAsync(store, batch, start, workflow, cancellationToken);
            await instances.RegisterAsync(batch, "v1", cancellationToken);
            await instances.RegisterAsync(batch, "v2", cancellationToken);
        }
    }
}
