using System.Globalization;
using LightMesh.Host.Api;

namespace LightMesh.Cli.Commands.Release;

/// <summary>The table columns of releases, their event logs and their analyses.</summary>
public static class ReleaseRows
{
    public static IReadOnlyList<string> Headers { get; } = ["ID", "SERVICE", "VERSIONS", "PHASE", "STEP", "STABLE/CANARY", "WHY"];

    public static IReadOnlyList<string> EventHeaders { get; } = ["TIME", "STEP", "ACTION", "ACTOR", "REASON"];

    public static IReadOnlyList<string> AnalysisHeaders { get; } = ["STEP", "TEMPLATE", "METRIC", "PHASE", "LAST VALUE", "MESSAGE"];

    public static IReadOnlyList<string> Row(ReleaseView r) =>
    [
        r.Id, r.Service, $"{r.StableVersion} -> {r.Version}", r.Phase.ToString(),
        ReleaseText.Step(r), $"{r.Weights.Stable}/{r.Weights.Canary}", ReleaseText.Why(r),
    ];

    public static IEnumerable<IReadOnlyList<string>> EventRows(ReleaseView r) =>
        r.Events.Select(e => (IReadOnlyList<string>)[ReleaseText.Time(e.At), StepNumber(e.Step, r.StepCount), e.Action, e.Actor, e.Reason]);

    public static IEnumerable<IReadOnlyList<string>> AnalysisRows(ReleaseView r) =>
        r.Analyses.Select(a => (IReadOnlyList<string>)
        [
            a.Background ? "background" : StepNumber(a.Step, r.StepCount), a.Template, a.Metric, a.Phase.ToString(),
            a.Measurements is [.., var last] ? last.Value.ToString("G6", CultureInfo.InvariantCulture) : "", a.Message,
        ]);

    // Steps are counted from 1 here, as in "step 3/5"; the API counts from 0.
    private static string StepNumber(int step, int count) => step < count ? (step + 1).ToString(CultureInfo.InvariantCulture) : "end";
}
