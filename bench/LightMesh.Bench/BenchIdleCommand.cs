using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using LightMesh.Cli;
using LightMesh.Cli.Commands;
using LightMesh.Cli.Output;
using LightMesh.DurableExecution;
using LightMesh.Etcd;
using LightMesh.Releases.Runs;
using Spectre.Console;
using Spectre.Console.Cli;
using static LightMesh.Bench.BenchRows;

namespace LightMesh.Bench;

/// <summary>
/// <c>lightmesh-bench idle</c>: what the console costs a controller nobody is looking at. Controllers run one after
/// another on the same etcd, alternately without the console (<c>--console false</c>) and with it, each left to settle
/// after it leads, then measured idle: CPU over the window, and resident memory and GC heap at its end.
/// </summary>
public sealed class BenchIdleCommand : AsyncCommand<BenchIdleCommand.Settings>
{
    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--rounds <N>")]
        [Description("Pairs of controllers measured (one without the console, one with it). Default: 3")]
        public int Rounds { get; init; } = 3;

        [CommandOption("--duration <DURATION>")]
        [Description("How long each controller is measured idle. Default: 60s")]
        public string Duration { get; init; } = "60s";

        [CommandOption("--settle <DURATION>")]
        [Description("How long each controller runs after it leads before it is measured, for its start-up work (the first reads and reports, the JIT's second tier) to be done. Default: 2m")]
        public string Settle { get; init; } = "2m";

        [CommandOption("--wake-ups <N>")]
        [Description("Wake-up events stored first for releases that have ended, as a burst of N releases leaves them for the hour before they are purged. Default: 0")]
        public int WakeUps { get; init; }

        public TimeSpan Window => BenchDurations.Of(Duration);

        public TimeSpan SettleFor => BenchDurations.Of(Settle);

        public override ValidationResult Validate()
        {
            var errors = new List<string>();
            if (Rounds is < 1 or > 10)
            {
                errors.Add($"--rounds: {Rounds} must be 1..10");
            }

            if (WakeUps is < 0 or > 100000)
            {
                errors.Add($"--wake-ups: {WakeUps} must be 0..100000");
            }

            errors.AddRange(new[]
            {
                BenchDurations.Check("--duration", Duration, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10)),
                BenchDurations.Check("--settle", Settle, TimeSpan.Zero, TimeSpan.FromMinutes(10)),
            }.OfType<string>());

            return errors.Count > 0 ? ValidationResult.Error(string.Join("; ", errors)) : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (etcdOptions, etcd) = await BenchPrefix.OpenAsync(settings.ToEtcdOptions(), cancellationToken);
        using var _ = etcd;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var rows = new List<(string Name, string Value)>
        {
            ("settled after it leads, each controller", settings.Settle), ("measured idle, each controller", settings.Duration), ("wake-ups of ended releases stored", Int(settings.WakeUps)),
        };
        var errors = 0;
        try
        {
            await StoreWakeUpsAsync(etcd, settings.WakeUps, cancellationToken);
            var figures = new Dictionary<bool, List<(double Cores, MemoryReading Memory)>> { [false] = [], [true] = [] };
            for (var round = 1; round <= settings.Rounds; round++)
            {
                foreach (var console in new[] { false, true })
                {
                    await using var server = await BenchController.StartAsync(etcdOptions, ["--console", console ? "true" : "false"], new Dictionary<string, string>(), null, cancellationToken);
                    Printer.Error($"bench: round {round}, controller pid {server.Id} {(console ? "with" : "without")} the console leads; settling {settings.Settle}, then measuring {settings.Duration}");
                    await Task.Delay(settings.SettleFor, cancellationToken);
                    var cpu = ProcessMeter.CpuTime(server.Id);
                    var wall = Stopwatch.StartNew();
                    await Task.Delay(settings.Window, cancellationToken);
                    var cores = (ProcessMeter.CpuTime(server.Id) - cpu) / wall.Elapsed;
                    figures[console].Add((cores, await MemoryReading.TakeAsync(server, http, cancellationToken)));
                    errors += server.Errors;
                }
            }

            foreach (var (console, name) in new[] { (false, "without the console"), (true, "with the console") })
            {
                rows.Add(($"CPU {name}, each round (cores)", string.Join(" ", figures[console].Select(f => f.Cores.ToString("F4", CultureInfo.InvariantCulture)))));
                rows.Add(($"resident memory {name}, each round (MiB)", string.Join(" ", figures[console].Select(f => Ms(f.Memory.Resident / 1048576.0)))));
                rows.Add(($"GC heap after last collection {name}, each round (MiB)", string.Join(" ", figures[console].Select(f => Ms((f.Memory.HeapAfterGc ?? double.NaN) / 1048576.0)))));
            }

            rows.Add(("log errors", Int(errors)));
            Print(rows, settings.Output);
            return errors > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }
        finally
        {
            await BenchPrefix.DeleteAsync(etcd);
        }
    }

    /// <summary>Wakes <paramref name="count"/> releases that do not exist, as the wake-ups that come after a release ended are left.</summary>
    private static async Task StoreWakeUpsAsync(EtcdConnection etcd, int count, CancellationToken cancellationToken)
    {
        var waker = new WorkflowEventWaker(new EtcdPersistenceProvider(etcd, WorkflowFence.None, [typeof(ReleaseRunData)]), TimeProvider.System);
        await Parallel.ForEachAsync(
            Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, (i, ct) => new(waker.WakeAsync($"ended-{i}", ct)));
        if (count > 0)
        {
            Printer.Error($"bench: {count} wake-ups of ended releases stored");
        }
    }
}
