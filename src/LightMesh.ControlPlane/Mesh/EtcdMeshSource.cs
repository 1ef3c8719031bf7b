using System.Threading.Channels;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Watching;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Mesh;

/// <summary>
/// Keeps the mesh as etcd holds it: one read of the mesh's folders, then a watch from the next revision (resuming
/// across dropped streams, resynchronising after compaction). Each applied change is announced with its revision.
/// The read skips the rest of the prefix (the release history, WorkflowCore's records), which can be far larger.
/// It also keeps every stored document with its mod revision (<see cref="Documents"/>), so a release's write can be
/// planned without reading them all from etcd again, and passes on the changes of any key under the prefix to whoever
/// follows it (<see cref="Follow"/>), so a running release learns of an operator's action without a watch of its own.
/// </summary>
public sealed class EtcdMeshSource(EtcdConnection etcd, PrefixWatcher watcher, ILogger<EtcdMeshSource> logger)
{
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    // In key order, as a read from etcd gives them: where values written by hand take a name or host twice, the first
    // counts, and it must be the same one in this copy as in a read, and before and after the controller restarts.
    private readonly SortedDictionary<string, StoredDocument> _documents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unreadable = new(StringComparer.Ordinal);
    private readonly Channel<long> _changes = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private long _revision;
    private DocumentSnapshot? _documentSnapshot; // built when asked for, followed by a new one after a change of a document
    private bool _documentsChanged;
    private readonly List<(long Revision, TaskCompletionSource Reached)> _waiting = [];
    private readonly Dictionary<string, List<Channel<KeyChange>>> _followers = new(StringComparer.Ordinal);

    /// <summary>The revision the watch has reached: every change up to it is applied.</summary>
    public long Revision => Interlocked.Read(ref _revision);

    /// <summary>Revisions at which something changed, in order; read by the publisher.</summary>
    public ChannelReader<long> Changes => _changes.Reader;

    /// <summary>Reads everything, then follows the watch until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var initial = await etcd.RangePrefixesAsync(etcd.Keys.MeshFolders, cancellationToken);
        Replace(initial.Kvs.Select(KeyChange.Of), initial.Header.Revision);
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
            var documents = _documents.Values.Select(d => d.Document).ToList();
            return new MeshSnapshot(
                documents.OfType<MeshService>().ToList(),
                documents.OfType<VirtualService>().ToList(),
                documents.OfType<DestinationRule>().ToList(),
                _instances.Values.ToList(),
                documents.OfType<MeshNode>().ToList(),
                _revision);
        }
    }

    /// <summary>
    /// The changes of <paramref name="key"/> the watch applies from now on, until the subscription is disposed. Follow
    /// a key before reading it: a change the read already saw comes with a revision no later than the one read. After a
    /// resynchronisation (its changes in between were compacted away) comes a change without a value at the
    /// resynchronised revision: the key may have changed in any way.
    /// </summary>
    public KeySubscription Follow(string key)
    {
        var changes = Channel.CreateUnbounded<KeyChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            if (!_followers.TryGetValue(key, out var followers))
            {
                _followers[key] = followers = [];
            }

            followers.Add(changes);
        }

        return new KeySubscription(changes.Reader, () =>
        {
            lock (_lock)
            {
                if (_followers.TryGetValue(key, out var followers) && followers.Remove(changes) && followers.Count == 0)
                {
                    _followers.Remove(key);
                }
            }
        });
    }

    /// <summary>
    /// <see cref="Documents"/> once the watch has applied <paramref name="revision"/>, so it holds every document written
    /// up to then; null when it has not within <paramref name="wait"/> (or has no readable copy), and the caller reads etcd.
    /// </summary>
    public async Task<DocumentSnapshot?> DocumentsAsOfAsync(long revision, TimeSpan wait, CancellationToken cancellationToken)
    {
        Task? reached = null;
        lock (_lock)
        {
            if (_revision < revision)
            {
                var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((revision, waiting));
                reached = waiting.Task;
            }
        }

        try
        {
            if (reached is not null)
            {
                await reached.WaitAsync(wait, cancellationToken);
            }

            return Documents();
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Every stored document as of the last applied revision (in no particular order); null before the first read, and
    /// while a stored document cannot be read (a read from etcd says which).
    /// It may be behind etcd: a write planned on it must be guarded by the revisions it read.
    /// </summary>
    public DocumentSnapshot? Documents()
    {
        lock (_lock)
        {
            if (_revision == 0 || _unreadable.Count > 0)
            {
                return null;
            }

            if (_documentSnapshot is null || _documentsChanged)
            {
                // A replaced document keeps its place in _documents (its key's), and the others keep their order, so the
                // new snapshot's index is the last one's with only the changed and added documents indexed again.
                List<StoredDocument> documents = [.. _documents.Values];
                _documentSnapshot = _documentSnapshot?.Following(documents, _revision) ?? new DocumentSnapshot(documents, _revision);
                _documentsChanged = false;
            }

            // Nothing but other keys changed since it was built: the documents are as they were, at this revision too.
            return _documentSnapshot = _documentSnapshot.Revision == _revision ? _documentSnapshot : _documentSnapshot with { Revision = _revision };
        }
    }

    private void Replace(IEnumerable<KeyChange> state, long revision)
    {
        lock (_lock)
        {
            _instances.Clear();
            _documents.Clear();
            _unreadable.Clear();
            _documentSnapshot = null;
            ApplyLocked(state, revision);
            foreach (var (key, followers) in _followers)
            {
                Tell(followers, KeyChange.Deleted(key, revision));
            }
        }

        _changes.Writer.TryWrite(revision);
    }

    private void Apply(IReadOnlyList<KeyChange> changes, long revision)
    {
        lock (_lock)
        {
            ApplyLocked(changes, revision);
            if (_followers.Count > 0)
            {
                foreach (var change in changes)
                {
                    if (_followers.TryGetValue(change.Key, out var followers))
                    {
                        Tell(followers, change);
                    }
                }
            }
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
            if (etcd.Keys.IsInstanceKey(change.Key))
            {
                ApplyInstance(change);
            }
            else if (etcd.Keys.TryReadDocumentKey(change.Key, out _, out _))
            {
                ApplyDocument(change);
            }

            // Other LightMesh state (releases, locks) is not part of the mesh.
        }

        Interlocked.Exchange(ref _revision, revision);
        _waiting.RemoveAll(w => w.Revision <= revision && w.Reached.TrySetResult());
    }

    private static void Tell(List<Channel<KeyChange>> followers, KeyChange change)
    {
        foreach (var follower in followers)
        {
            follower.Writer.TryWrite(change);
        }
    }

    private void ApplyInstance(KeyChange change)
    {
        if (!change.IsDelete && (InstanceCodec.Read(change.Value!) ?? Skip(change.Key, "not an instance")) is Instance instance)
        {
            _instances[change.Key] = instance;
        }
        else
        {
            _instances.Remove(change.Key);
        }
    }

    private void ApplyDocument(KeyChange change)
    {
        _documentsChanged = true;
        _unreadable.Remove(change.Key);
        var (stored, errors) = change.IsDelete ? (null, []) : StoredDocument.Read(etcd.Keys, change.Key, change.Value!, change.ModRevision);
        if (stored is not null)
        {
            _documents[change.Key] = stored;
            return;
        }

        _documents.Remove(change.Key);
        if (!change.IsDelete)
        {
            _unreadable.Add(change.Key);
            Skip(change.Key, string.Join("; ", errors));
        }
    }

    private object? Skip(string key, string why)
    {
        Telemetry.Log.StoredValueSkipped(logger, key, why);
        return null;
    }
}
