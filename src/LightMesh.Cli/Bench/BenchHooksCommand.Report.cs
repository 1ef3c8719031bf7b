using System.Globalization;
using LightMesh.Cli.Output;
using static LightMesh.Cli.Bench.BenchRows;

namespace LightMesh.Cli.Bench;

/// <summary>The table the run is reported in (or JSON with <c>-o json</c>), and the first few problems it met.</summary>
public sealed partial class BenchHooksCommand
{
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
            ("errors: other answers or none", Int(f.Count(AnswerKind.Error))),
            ("releases the API lists", Int(checks.Releases)),
            ("lost", Int(checks.Lost)),
            ("duplicate releases", Int(checks.DuplicateReleases)),
            ("unannounced releases", Int(checks.Unannounced)),
            ("lone delivery before the run (warm-up, last half) p50 / max (ms)", Pair(LatencySummary.Of(f.WarmUp.Skip(f.WarmUp.Count / 2).Select(a => a.Milliseconds)))),
            ("answer p50 / p95 / p99 / max (ms)", Quad(latency)),
            ("answer that started a release p50 / p95 / p99 / max (ms)", Quad(started)),
            ("server CPU while sending and answering (cores)", f.ServerCpuCores?.ToString("F2", CultureInfo.InvariantCulture) ?? "-"),
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

    private static string Mib(double? bytes) => bytes is { } b && b > 0 ? (b / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) : "-";
}
