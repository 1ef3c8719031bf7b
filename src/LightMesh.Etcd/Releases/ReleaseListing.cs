using LightMesh.Core.Releases;

namespace LightMesh.Etcd.Releases;

/// <summary>
/// A release's entry in the release index: what listing, filtering, counting by phase and retention need, so none of
/// them reads the release itself. Written in the same transaction as every change of the release.
/// </summary>
/// <param name="StartedBy">Who or what started the release; null in an entry written before the index held it.</param>
public sealed record ReleaseListing(string Id, string Service, ReleasePhase Phase, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? StartedBy = null)
{
    public static ReleaseListing Of(ReleaseState state) =>
        new(state.Id, state.Service, state.Phase, state.StartedAt, state.IsFinished ? EndOf(state) : null, state.StartedBy);

    /// <summary>When a finished release ended: its last event (the end is always the last).</summary>
    private static DateTimeOffset EndOf(ReleaseState state) => state.Events.Count > 0 ? state.Events[^1].At : state.LastProgressAt;
}

/// <summary>An index entry as read: its key, the revision it was last written at (for a guarded delete), and the entry.</summary>
public sealed record StoredListing(string Key, long ModRevision, ReleaseListing Listing);

/// <summary>A release's key as a scan read it: the state, or why it could not be read (a value that is not a release).</summary>
public sealed record StoredRelease(string Key, long ModRevision, ReleaseState? State, string? Problem);
