using System.Globalization;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LightMesh.Cli.Commands.Release;

/// <summary>
/// Where a release stands in three kinds of line: its step, the stable and canary weights as a bar, and the last
/// measurement of each metric it analysed. The lines are Spectre markup: coloured on a terminal, plain text in a pipe,
/// where the bar still reads as <c>stable 80% ████████████████░░░░ canary 20%</c>.
/// </summary>
public static class ReleaseProgress
{
    /// <summary>Cells in the weights bar: one per 5%.</summary>
    public const int BarWidth = 20;

    public const char StableCell = '█';
    public const char CanaryCell = '░';

    private const string StableColour = "green";
    private const string CanaryColour = "yellow";

    public static IRenderable Render(ReleaseView release) => new Rows(Lines(release).Select(line => new Markup(line)));

    /// <summary>The lines as markup; <see cref="Markup.Remove"/> gives what a pipe shows.</summary>
    public static IReadOnlyList<string> Lines(ReleaseView release)
    {
        var why = ReleaseText.Why(release);
        var lines = new List<string>
        {
            Line("step", Markup.Escape($"{ReleaseText.Step(release)}  {release.Phase}{(why.Length > 0 ? $": {why}" : "")}")),
            Line("weights", $"stable {release.Weights.Stable}% {Bar(release.Weights)} canary {release.Weights.Canary}%"),
        };
        lines.AddRange((release.HeaderRoutes ?? []).Select(route => Line("route", Markup.Escape($"{ReleaseText.Describe(route)} -> canary"))));
        lines.AddRange((release.MirrorRoutes ?? []).Select(route => Line("route", Markup.Escape($"{ReleaseText.Describe(route)}, copied to canary"))));
        lines.AddRange(release.SessionAffinity is { } session ? [Line("route", Markup.Escape(ReleaseText.Describe(session)))] : []);
        lines.AddRange(LastAnalyses(release).Select(a => Line("analysis", Markup.Escape(Measured(a, release.StepCount)))));
        return lines;
    }

    /// <summary>How many cells of the bar are stable's and how many canary's; a weight above 0 gets at least one cell.</summary>
    public static (int Stable, int Canary) Cells(WeightsView weights)
    {
        var total = Math.Max(weights.Stable + weights.Canary, 1);
        var canary = (int)Math.Round(weights.Canary * (double)BarWidth / total, MidpointRounding.AwayFromZero);
        canary = Math.Clamp(canary, weights.Canary > 0 ? 1 : 0, weights.Stable > 0 ? BarWidth - 1 : BarWidth);
        return (BarWidth - canary, canary);
    }

    private static string Bar(WeightsView weights)
    {
        var (stable, canary) = Cells(weights);
        return $"[{StableColour}]{new string(StableCell, stable)}[/][{CanaryColour}]{new string(CanaryCell, canary)}[/]";
    }

    // The latest record of each metric (a metric measured again, at a later step or by the background analysis, shows
    // its newest value), in the order the metrics were first measured.
    private static IEnumerable<AnalysisRecord> LastAnalyses(ReleaseView release) =>
        release.Analyses
            .Select((record, index) => (record, index))
            .GroupBy(x => (x.record.Background, x.record.Template, x.record.Metric))
            .OrderBy(g => g.First().index)
            .Select(g => g.Last().record);

    private static string Measured(AnalysisRecord record, int stepCount)
    {
        var where = record.Background ? "background" : record.Step < stepCount ? $"step {record.Step + 1}" : "end";
        var value = record.Measurements is [.., var last] && !double.IsNaN(last.Value) ? last.Value.ToString("G6", CultureInfo.InvariantCulture) : "-";
        var phase = record.Measurements is [.., var latest] ? latest.Phase.ToString() : record.Phase.ToString();
        return $"{record.Metric} {value} {phase}  ({where}, {record.Template}, analysis {record.Phase})";
    }

    private static string Line(string label, string text) => $"{label,-9} {text}";
}
