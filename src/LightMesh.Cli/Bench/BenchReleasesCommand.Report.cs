using System.Globalization;
using LightMesh.Cli.Output;
using LightMesh.Core.Releases;
using static LightMesh.Cli.Bench.BenchRows;

namespace LightMesh.Cli.Bench;

/// <summary>The figures read from the releases' event logs, and the table they are printed in.</summary>
public sealed partial class BenchReleasesCommand
{
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
        var steps = f.StartToAllPaused is { } took ? 3 * f.Paused / took.TotalSeconds : double.NaN;
        var rows = new (string Name, string Value)[]
        {
            ("releases", Int(f.Releases)),
            ("ended releases in etcd before the run", Int(f.History)),
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
            ("server RSS idle -> all paused (MiB)", $"{Mib(f.Idle?.Resident)} -> {Mib(f.AllPaused?.Resident)}"),
            ("server RSS per active release (KiB)", Ms(PerRelease(m => m.Resident))),
            ("server GC heap after last GC idle -> all paused (MiB)", $"{Mib(f.Idle?.HeapAfterGc)} -> {Mib(f.AllPaused?.HeapAfterGc)}"),
            ("server GC heap per active release (KiB)", Ms(PerRelease(m => m.HeapAfterGc))),
            ("server threads idle -> all paused", $"{f.Idle?.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"} -> {f.AllPaused?.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"}"),
            ("first resume -> all ended (s)", Seconds(f.ResumeToAllFinished)),
            ("succeeded", Int(f.Succeeded)),
            ("rolled back after the resume", Int(f.RolledBackAfterResume)),
            ("release keys in etcd after the run", f.HistoryKept?.ToString(CultureInfo.InvariantCulture) ?? "-"),
            ("API first page of releases p50 / p99 (ms)", Pair(f.ListPage)),
            ("server log warnings / errors", $"{f.LogWarnings} / {f.LogErrors}"),
        };
        BenchRows.Print(rows, settings.Output);
    }

    private static string Pair(LatencySummary s) => s.Count == 0 ? "-" : $"{Ms(s.P50)} / {Ms(s.P99)}";

    private static string Triple(LatencySummary s) => s.Count == 0 ? "-" : $"{Ms(s.P50)} / {Ms(s.P99)} / {Ms(s.Max)}";

    private static string Seconds(TimeSpan? value) => value?.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) ?? "-";

    private static string Mib(double? bytes) => bytes is { } b && b > 0 ? (b / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) : "-";
}
