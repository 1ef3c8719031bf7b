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
        if (BadTraffic(failing.Version, failing, badTraffic, clock, strategy) is { } cost)
        {
            lines.Add(cost);
        }

        return lines;
    }

    /// <summary>
    /// The group demo worked when its group rolled back because <paramref name="failing"/> failed, and every other member
    /// that had been promoted is back on its old version: no pair that was never released together is left.
    /// </summary>
    public static bool AsExpected(GroupRun run, string failing) =>
        run.Group is { Phase: GroupPhase.RolledBack } group
        && group.FailedMember == failing
        && group.Members.All(member => run.ReleaseOf(member) is not { Phase: ReleasePhase.Succeeded } || run.RevertOf(member) is { Phase: ReleasePhase.Succeeded });

    /// <summary>
    /// The group demo's summary: how the group ended and why, each member's release (and the revert that returned it to
    /// its old version), and how long <paramref name="failing"/>'s new version took calls (<paramref name="badTraffic"/>).
    /// </summary>
    public static IReadOnlyList<string> Lines(GroupRun run, string failing, (DateTimeOffset First, DateTimeOffset Last)? badTraffic, ReleaseNarrator clock)
    {
        var group = run.Group;
        var took = (group.EndedAt ?? group.StartedAt) - group.StartedAt;
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"group {group.Workflow} {group.Phase} after {(int)took.TotalMinutes}m{took.Seconds:00}s   {group.RollingBack}").TrimEnd(),
        };
        foreach (var member in group.Members)
        {
            lines.Add(run.ReleaseOf(member) is { } release ? $"  {member.Service,-9} {Outcome(release)}" : $"  {member.Service,-9} {member.Version,-4} never started");
            if (run.RevertOf(member) is { } revert)
            {
                var back = revert.Events.Count > 0 ? revert.Events[^1].At - revert.StartedAt : TimeSpan.Zero;
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"  {member.Service,-9} {revert.Version,-4} {revert.Phase,-11} after {(int)back.TotalMinutes}m{back.Seconds:00}s   back from {revert.StableVersion} (release {revert.Id}), since the group rolled back"));
            }
        }

        var failed = group.Members.FirstOrDefault(m => m.Service == failing) is { } failingMember ? run.ReleaseOf(failingMember) : null;
        if (failed is not null && BadTraffic($"{failing} {failed.Version}", failed, badTraffic, clock, DemoStrategy.Canary) is { } cost)
        {
            lines.Add(cost);
        }

        return lines;
    }

    /// <summary>From the failing version's first call to the end of its rollback: the time the bad canary (or preview) cost.</summary>
    private static string? BadTraffic(string name, ReleaseView failing, (DateTimeOffset First, DateTimeOffset Last)? badTraffic, ReleaseNarrator clock, DemoStrategy strategy)
    {
        if (badTraffic is not { } seen || failing.Phase != ReleasePhase.RolledBack || failing.Events.Count == 0)
        {
            return null;
        }

        var rolledBack = failing.Events[^1].At;
        return string.Create(CultureInfo.InvariantCulture,
            $"{name} answered its first call at {clock.Clock(seen.First).Trim()} and was rolled back at {clock.Clock(rolledBack).Trim()}: {(rolledBack - seen.First).TotalSeconds:0.0} s of {(strategy == DemoStrategy.BlueGreen ? "preview traffic (calls with its header only)" : "canary traffic")} (its last call answered at {clock.Clock(seen.Last).Trim()})");
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
