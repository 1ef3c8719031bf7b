namespace LightMesh.Etcd.Watching;

/// <summary>A key's change as a watch reports it; <see cref="Value"/> is null for a deletion.</summary>
public sealed record KeyChange(string Key, string? Value, long ModRevision)
{
    public bool IsDelete => Value is null;
}

/// <summary>What a watch yields: changes in revision order, or a full resynchronisation.</summary>
public abstract record WatchUpdate(long Revision);

/// <summary>Changes made at one or more revisions, in order; <see cref="WatchUpdate.Revision"/> is the last one's.</summary>
public sealed record WatchChanges(IReadOnlyList<KeyChange> Changes, long Revision) : WatchUpdate(Revision);

/// <summary>
/// The revision to resume from was compacted away, so the changes in between are lost: here is the whole state
/// under the prefix at <see cref="WatchUpdate.Revision"/> instead. Consumers replace what they hold with it.
/// </summary>
public sealed record WatchResync(IReadOnlyList<KeyChange> State, long Revision, long CompactRevision) : WatchUpdate(Revision);
