namespace LightMesh.Core.Releases;

/// <summary>An ended release as retention sees it: which service (for an ended group release, its group workflow), and when it ended.</summary>
public sealed record EndedRelease(string Id, string Service, DateTimeOffset EndedAt);

/// <summary>
/// How long ended releases are kept: the newest <see cref="Keep"/> of each service, and none that ended more than
/// <see cref="MaxAge"/> ago. Active releases are never its business.
/// </summary>
public sealed record ReleaseRetention(int Keep, TimeSpan MaxAge)
{
    /// <summary>The ended releases past retention at <paramref name="now"/>: beyond the newest <see cref="Keep"/> of their service, or too old.</summary>
    public IReadOnlyList<EndedRelease> Expired(IEnumerable<EndedRelease> ended, DateTimeOffset now)
    {
        var oldest = now - MaxAge;
        return ended
            .GroupBy(r => r.Service, StringComparer.Ordinal)
            .SelectMany(service => service
                .OrderByDescending(r => r.EndedAt)
                .ThenBy(r => r.Id, StringComparer.Ordinal)
                .Where((r, newest) => newest >= Keep || r.EndedAt < oldest))
            .ToList();
    }
}
