using LightMesh.Core.Releases;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// A group release as a row of the console's list: its workflow, its members and their new versions in their order, its
/// phase, who started it, its age, and why it is where it is (rolling back, paused), all in words.
/// </summary>
public sealed record GroupRow(string Id, string Workflow, string Members, GroupPhase Phase, string StartedBy, string Age, string Why)
{
    /// <summary>How many ended groups the releases page lists under the running ones.</summary>
    public const int RecentShown = 10;

    public static GroupRow Of(ReleaseGroupState group, DateTimeOffset now) => new(
        group.Id,
        group.Workflow,
        string.Join(", ", group.Members.Select(m => $"{m.Service} {m.Version}")),
        group.Phase,
        group.Actor,
        ReleaseRow.AgeOf(now - group.StartedAt),
        group.RollingBack ?? (group.PausedBy is { } by ? $"paused by {by}" : ""));

    /// <summary>
    /// The groups the releases page lists: every one still running, then the <see cref="RecentShown"/> newest ended;
    /// with <paramref name="service"/>, only those it is a member of.
    /// </summary>
    public static IReadOnlyList<GroupRow> Listed(IEnumerable<ReleaseGroupState> groups, string? service, DateTimeOffset now)
    {
        var shown = groups.Where(g => service is null || g.Members.Any(m => m.Service == service)).OrderByDescending(g => g.StartedAt).ToList();
        return [.. shown.Where(g => !g.IsFinished).Concat(shown.Where(g => g.IsFinished).Take(RecentShown)).Select(g => Of(g, now))];
    }
}
