using System.Text.Json;
using LightMesh.Etcd;
using LightMesh.Etcd.Leases;

namespace LightMesh.Deployer.Revisions;

/// <summary>Node revisions in etcd (current plus history), and the per-node lock that keeps two applies apart.</summary>
public sealed class NodeRevisionStore(EtcdConnection etcd, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>
    /// How long a lock outlives a process that died holding it. The holder renews it every third of that while its apply
    /// runs, however long the apply takes.
    /// </summary>
    public static readonly TimeSpan LockTtl = TimeSpan.FromSeconds(10);

    public async Task<(NodeRevision? Revision, long ModRevision)> CurrentAsync(string node, CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(etcd.Keys.NodeRevisionCurrent(node), cancellationToken);
        return response.Count == 0 ? (null, 0) : (Read(response.Kvs[0].Value.ToStringUtf8()), response.Kvs[0].ModRevision);
    }

    /// <summary>The current revision of each of <paramref name="nodes"/> that has one, by node.</summary>
    public async Task<IReadOnlyDictionary<string, NodeRevision>> CurrentOfAsync(IEnumerable<string> nodes, CancellationToken cancellationToken)
    {
        var current = new Dictionary<string, NodeRevision>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if ((await CurrentAsync(node, cancellationToken)).Revision is { } revision)
            {
                current[node] = revision;
            }
        }

        return current;
    }

    /// <summary>Every revision applied to the node, oldest first.</summary>
    public async Task<IReadOnlyList<NodeRevision>> HistoryAsync(string node, CancellationToken cancellationToken) =>
        (await etcd.RangePrefixAsync(etcd.Keys.NodeRevisionHistory(node), 0, cancellationToken)).Kvs
            .Select(kv => Read(kv.Value.ToStringUtf8())).OrderBy(r => r.Sequence).ToList();

    /// <summary>Records <paramref name="revision"/> as current, guarded by the current record as it was read.</summary>
    public async Task<bool> RecordAsync(NodeRevision revision, long currentModRevision, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(revision, Json);
        var (succeeded, _) = await new GuardedTxn()
            .AsRead(etcd.Keys.NodeRevisionCurrent(revision.Node), currentModRevision)
            .Put(etcd.Keys.NodeRevision(revision.Node, revision.Sequence), json)
            .Put(etcd.Keys.NodeRevisionCurrent(revision.Node), json)
            .CommitAsync(etcd, cancellationToken);
        return succeeded;
    }

    /// <summary>Takes the node's lock, kept until the returned lock is disposed, or returns null when someone holds it.</summary>
    public async Task<KeptLease?> TryLockAsync(string node, string holder, CancellationToken cancellationToken)
    {
        var lease = await KeptLease.GrantAsync(etcd, LockTtl, time, cancellationToken);
        try
        {
            var (succeeded, _) = await new GuardedTxn()
                .Absent(etcd.Keys.NodeLock(node))
                .Put(etcd.Keys.NodeLock(node), holder, lease.Id)
                .CommitAsync(etcd, cancellationToken);
            if (succeeded)
            {
                return lease;
            }
        }
        catch
        {
            await lease.DisposeAsync();
            throw;
        }

        await lease.DisposeAsync();
        return null;
    }

    public async Task<string?> LockHolderAsync(string node, CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(etcd.Keys.NodeLock(node), cancellationToken);
        return response.Count == 0 ? null : response.Kvs[0].Value.ToStringUtf8();
    }

    private static NodeRevision Read(string json) =>
        JsonSerializer.Deserialize<NodeRevision>(json, Json) ?? throw new JsonException("empty node revision");
}
