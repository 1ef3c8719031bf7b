using LightMesh.Etcd.Leases;

namespace LightMesh.Etcd.Leadership;

/// <summary>
/// One term of leadership: the leader key is held under a lease kept alive at TTL/3. <see cref="Lost"/> fires when the
/// lease can no longer be kept; <see cref="Fence"/> makes a write conditional on this term still being the current one,
/// so a deposed leader's writes are rejected by etcd itself.
/// </summary>
public sealed class LeaderTerm : IAsyncDisposable
{
    private readonly EtcdConnection _etcd;
    private readonly KeptLease _lease;

    internal LeaderTerm(EtcdConnection etcd, string key, string candidate, KeptLease lease, long revision)
    {
        _etcd = etcd;
        _lease = lease;
        Key = key;
        Candidate = candidate;
        Revision = revision;
    }

    public string Key { get; }
    public string Candidate { get; }
    public long Lease => _lease.Id;

    /// <summary>The etcd revision at which this term began: the leader key's mod revision while the term lasts.</summary>
    public long Revision { get; }

    /// <summary>Cancelled when leadership is lost (the lease lapsed or could not be renewed).</summary>
    public CancellationToken Lost => _lease.Lost;

    /// <summary>Adds the guard that this term is still the current one.</summary>
    public GuardedTxn Fence(GuardedTxn txn) => txn.Unchanged(Key, Revision);

    /// <summary>True while this term is still the current one (after a fenced write failed: was it the fence?).</summary>
    public async Task<bool> IsCurrentAsync(CancellationToken cancellationToken)
    {
        var current = await _etcd.GetAsync(Key, cancellationToken);
        return current.Count > 0 && current.Kvs[0].ModRevision == Revision;
    }

    /// <summary>Gives leadership up now (the lease is revoked), so a standby takes over at once.</summary>
    public ValueTask DisposeAsync() => _lease.DisposeAsync();

    /// <summary>Stops renewing the lease without revoking it: what a frozen or partitioned leader looks like to the others.</summary>
    public Task AbandonAsync() => _lease.AbandonAsync();
}
