using System.Globalization;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;

namespace LightMesh.Demo;

/// <summary>What the demo showed, once both releases ended: how each ended, and how fast a bad canary was taken out.</summary>
public static class DemoSummary
{
    /// <summary>The demo worked when the healthy version was promoted and the failing one rolled back.</summary>
    public static bool AsExpected(ReleaseView healthy, ReleaseView failing) =>
        healthy.Phase == ReleasePhase.Succeeded && failing.Phase == ReleasePhase.RolledBack;

    /// <summary>
    /// The summary's lines. <paramref name="badTraffic"/> is when the client first and last had a call answered by the
    /// failing version (null if never): from its first call to the end of the rollback is the time the bad canary (or
    /// blue-green preview, under <paramref name="strategy"/>) cost.
    /// </summary>
    public static IReadOnlyList<string> Lines(ReleaseView healthy, ReleaseView failing, (DateTimeOffset First, DateTimeOffset Last)? badTraffic, ReleaseNarrator clock, DemoStrategy strategy = DemoStrategy.Canary)
    {
        var lines = new List<string> { Outcome(healthy), Outcome(failing) };
        if (badTraffic is { } seen && failing.Phase == ReleasePhase.RolledBack && failing.Events.Count > 0)
        {
            var rolledBack = failing.Events[^1].At;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{failing.Version} answered its first call at {clock.Clock(seen.First).Trim()} and was rolled back at {clock.Clock(rolledBack).Trim()}: {(rolledBack - seen.First).TotalSeconds:0.0} s of {(strategy == DemoStrategy.BlueGreen ? "preview traffic (calls with its header only)" : "canary traffic")} (its last call answered at {clock.Clock(seen.Last).Trim()})"));
        }

        return lines;
    }

    private static string Outcome(ReleaseView release)
    {
        var took = release.Events.Count > 0 ? release.Events[^1].At - release.StartedAt : TimeSpan.Zero;
        var why = release.Phase switch
        {
            ReleasePhase.Succeeded => $"promoted to stable after {release.Analyses.Count(a => !a.Background && a.Phase == Core.Analysis.AnalysisPhase.Successful)} passed analysis metrics",
            _ when release.RollingBack is { } reason => reason,
            _ => release.Events.Count > 0 ? release.Events[^1].Reason : "",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{release.Version,-4} {release.Phase,-11} after {(int)took.TotalMinutes}m{took.Seconds:00}s   {why}");
    }
}
