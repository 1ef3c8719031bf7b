using Google.Protobuf;
using Mvccpb;

namespace LightMesh.Etcd.Watching;

/// <summary>A key's change as a watch reports it; <see cref="Value"/> is null for a deletion.</summary>
/// <remarks>
/// A change read from etcd (<see cref="Of"/>) decodes its value the first time it is asked for: a watch on a whole prefix
/// hands its consumers many keys they skip by name (a controller's report of its proxies, hundreds of KiB at thousands
/// of proxies, comes back through every watch of the prefix at each write).
/// </remarks>
public sealed class KeyChange
{
    private readonly ByteString? _stored;
    private string? _value;

    private KeyChange(string key, ByteString? stored, long modRevision)
    {
        Key = key;
        _stored = stored;
        ModRevision = modRevision;
    }

    public string Key { get; }

    /// <summary>The value written, as UTF-8 text; null for a deletion.</summary>
    public string? Value => _value ??= _stored?.ToStringUtf8();

    /// <summary>The value written, as etcd holds it (for a value that is not UTF-8 text); empty for a deletion.</summary>
    public ReadOnlyMemory<byte> Bytes => _stored?.Memory ?? ReadOnlyMemory<byte>.Empty;

    public long ModRevision { get; }

    public bool IsDelete => _stored is null;

    /// <summary>The key as etcd holds it (a read, or a put a watch reports).</summary>
    public static KeyChange Of(KeyValue kv) => new(kv.Key.ToStringUtf8(), kv.Value, kv.ModRevision);

    /// <summary>The key's deletion at <paramref name="modRevision"/>.</summary>
    public static KeyChange Deleted(string key, long modRevision) => new(key, null, modRevision);

    public override string ToString() => IsDelete ? $"{Key} deleted at {ModRevision}" : $"{Key} written at {ModRevision}";
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
