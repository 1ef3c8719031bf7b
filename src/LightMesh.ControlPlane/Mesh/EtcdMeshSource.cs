using System.Threading.Channels;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Etcd;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Watching;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Mesh;

/// <summary>
/// Keeps the mesh as etcd holds it: one read of the mesh's folders, then a watch from the next revision (resuming
/// across dropped streams, resynchronising after compaction). Each applied change is announced with its revision.
/// The read skips the rest of the prefix (the release history, WorkflowCore's records), which can be far larger.
/// </summary>
public sealed class EtcdMeshSource(EtcdConnection etcd, PrefixWatcher watcher, ILogger<EtcdMeshSource> logger)
{
    private readonly Dictionary<string, object> _values = new(StringComparer.Ordinal);
    private readonly Channel<long> _changes = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private long _revision;

    /// <summary>The revision the watch has reached: every change up to it is applied.</summary>
    public long Revision => Interlocked.Read(ref _revision);

    /// <summary>Revisions at which something changed, in order; read by the publisher.</summary>
    public ChannelReader<long> Changes => _changes.Reader;

    /// <summary>Reads everything, then follows the watch until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var initial = await etcd.RangePrefixesAsync(etcd.Keys.MeshFolders, cancellationToken);
        Replace(initial.Kvs.Select(kv => new KeyChange(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8(), kv.ModRevision)), initial.Header.Revision);
        await foreach (var update in watcher.WatchAsync(etcd.Keys.Prefix, initial.Header.Revision + 1, cancellationToken, token => etcd.RangePrefixesAsync(etcd.Keys.MeshFolders, token)))
        {
            switch (update)
            {
                case WatchResync resync:
                    Replace(resync.State, resync.Revision);
                    break;
                case WatchChanges changes:
                    Apply(changes.Changes, changes.Revision);
                    break;
            }
        }
    }

    /// <summary>The mesh as of the last applied revision.</summary>
    public MeshSnapshot Snapshot()
    {
        lock (_lock)
        {
            var values = _values.Values.ToList();
            return new MeshSnapshot(
                values.OfType<MeshService>().ToList(),
                values.OfType<VirtualService>().ToList(),
                values.OfType<DestinationRule>().ToList(),
                values.OfType<Instance>().ToList(),
                values.OfType<MeshNode>().ToList(),
                _revision);
        }
    }

    private void Replace(IEnumerable<KeyChange> state, long revision)
    {
        lock (_lock)
        {
            _values.Clear();
            ApplyLocked(state, revision);
        }

        _changes.Writer.TryWrite(revision);
    }

    private void Apply(IReadOnlyList<KeyChange> changes, long revision)
    {
        lock (_lock)
        {
            ApplyLocked(changes, revision);
        }

        // Release state, workflow records and locks change often and are not part of the mesh: no push for them.
        if (changes.Any(c => etcd.Keys.IsInstanceKey(c.Key) || etcd.Keys.TryReadDocumentKey(c.Key, out _, out _)))
        {
            _changes.Writer.TryWrite(revision);
        }
    }

    private void ApplyLocked(IEnumerable<KeyChange> changes, long revision)
    {
        foreach (var change in changes)
        {
            if (change.IsDelete)
            {
                _values.Remove(change.Key);
            }
            else if (Parse(change) is { } value)
            {
                _values[change.Key] = value;
            }
        }

        Interlocked.Exchange(ref _revision, revision);
    }

    private object? Parse(KeyChange change)
    {
        if (etcd.Keys.IsInstanceKey(change.Key))
        {
            return InstanceCodec.Read(change.Value!) ?? Skip(change.Key, "not an instance");
        }

        if (!etcd.Keys.TryReadDocumentKey(change.Key, out _, out _))
        {
            return null; // other LightMesh state (releases, locks) is not part of the mesh
        }

        var parsed = DocumentParser.ParseJson(change.Value!, change.Key);
        return parsed.IsValid ? parsed.Documents[0].Document : Skip(change.Key, string.Join("; ", parsed.Errors));
    }

    private object? Skip(string key, string why)
    {
        Telemetry.Log.StoredValueSkipped(logger, key, why);
        return null;
    }
}
