using System.Globalization;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;
using LightMesh.Host.Api;

namespace LightMesh.Cli.Commands.Release;

/// <summary>The table columns of releases, their event logs and their analyses.</summary>
public static class ReleaseRows
{
    public static IReadOnlyList<string> Headers { get; } = ["ID", "SERVICE", "VERSIONS", "PHASE", "STEP", "STABLE/CANARY", "WHY"];

    public static IReadOnlyList<string> EventHeaders { get; } = ["TIME", "STEP", "ACTION", "ACTOR", "REASON"];

    public static IReadOnlyList<string> AnalysisHeaders { get; } = ["STEP", "TEMPLATE", "METRIC", "PHASE", "LAST VALUE", "MESSAGE"];

    public static bool IsFinal(ReleasePhase phase) => phase is ReleasePhase.Succeeded or ReleasePhase.RolledBack or ReleasePhase.Aborted or ReleasePhase.Failed;

    public static IReadOnlyList<string> Row(ReleaseView r) =>
    [
        r.Id, r.Service, $"{r.StableVersion} -> {r.Version}", r.Phase.ToString(),
        StepText(r), $"{r.Weights.Stable}/{r.Weights.Canary}", Why(r),
    ];

    /// <summary>The step as "3/5 (pause)", counted from 1; "5/5 (done)" once every step is done.</summary>
    public static string StepText(ReleaseView r) =>
        r.Step < r.StepCount ? $"{r.Step + 1}/{r.StepCount} ({r.StepType})" : $"{r.StepCount}/{r.StepCount} (done)";

    public static IEnumerable<IReadOnlyList<string>> EventRows(ReleaseView r) =>
        r.Events.Select(e => (IReadOnlyList<string>)[Time(e.At), StepNumber(e.Step, r.StepCount), e.Action, e.Actor, e.Reason]);

    public static IEnumerable<IReadOnlyList<string>> AnalysisRows(ReleaseView r) =>
        r.Analyses.Select(a => (IReadOnlyList<string>)
        [
            a.Background ? "background" : StepNumber(a.Step, r.StepCount), a.Template, a.Metric, a.Phase.ToString(),
            a.Measurements is [.., var last] ? last.Value.ToString("G6", CultureInfo.InvariantCulture) : "", a.Message,
        ]);

    /// <summary>
    /// Why the release is where it is: rolling back (or rolled back), promoting, paused, or waiting to try a command
    /// again (and when), with a timed pause's end, and what its running analysis could not measure.
    /// </summary>
    public static string Why(ReleaseView r)
    {
        var where = r switch
        {
            { RollingBack: { } reason } when IsFinal(r.Phase) => reason,
            { RollingBack: { } reason } => $"rolling back ({Words(r.Rollback)}): {reason}",
            { PausedBecause: { } reason } => reason,
            { Promotion: { } move } => $"promoting ({Words(move)})",
            { PauseUntil: { } until } => $"pausing until {Time(until)}",
            _ => "",
        };
        var parts = new List<string> { where };
        if (!IsFinal(r.Phase))
        {
            parts.AddRange(r.Retry is { } retry ? [Retrying(retry)] : []);
            parts.AddRange((r.Unmeasured ?? []).Select(NotMeasured));
        }

        return string.Join("; ", parts.Where(part => part.Length > 0));
    }

    /// <summary>A command waiting to be tried again: why, how often it failed, and when the next try is.</summary>
    public static string Retrying(StepRetry retry) =>
        $"retrying: {retry.Reason} ({retry.Attempt} {(retry.Attempt == 1 ? "try" : "tries")} failed; next at {Time(retry.At)})";

    /// <summary>A metric the running analysis could not measure: since when, why, and how the run goes on.</summary>
    public static string NotMeasured(UnmeasuredMetric metric) =>
        $"analysis: {metric.Template}/{metric.Metric} could not measure at {Time(metric.Since)}: {metric.Error}; " +
        $"measuring again every {Duration.Of(metric.Interval)} until more than {metric.ErrorLimit} {(metric.ErrorLimit == 1 ? "error" : "errors")} in a row end the run";

    /// <summary>A move in words: <c>StableTakesAll</c> as "stable takes all".</summary>
    private static string Words(Enum? move) =>
        string.Concat((move?.ToString() ?? "").Select((c, i) => char.IsUpper(c) ? $"{(i > 0 ? " " : "")}{char.ToLowerInvariant(c)}" : $"{c}"));

    // Steps are counted from 1 here, as in "step 3/5"; the API counts from 0.
    private static string StepNumber(int step, int count) => step < count ? (step + 1).ToString(CultureInfo.InvariantCulture) : "end";

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
