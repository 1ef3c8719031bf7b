using LightMesh.Etcd;
using LightMesh.Etcd.Leadership;

namespace LightMesh.DurableExecution;

/// <summary>
/// What makes a workflow write conditional on a leader term: with a term, etcd itself rejects the writes of a
/// controller that is no longer the leader, and its locks live under the term's lease.
/// </summary>
public sealed class WorkflowFence
{
    private readonly LeaderTerm? _term;

    private WorkflowFence(LeaderTerm? term) => _term = term;

    /// <summary>No fence: writes are made whoever leads, and locks have no lease (a single controller, or tests).</summary>
    public static WorkflowFence None { get; } = new(null);

    public static WorkflowFence Of(LeaderTerm term)
    {
        ArgumentNullException.ThrowIfNull(term);
        return new WorkflowFence(term);
    }

    /// <summary>The lease locks are held under: the term's, or 0 for none.</summary>
    public long Lease => _term?.Lease ?? 0;

    /// <summary>Cancelled when the term's lease is lost (and with it every lock held under it); never without a term.</summary>
    public CancellationToken Lost => _term?.Lost ?? CancellationToken.None;

    public GuardedTxn Apply(GuardedTxn txn)
    {
        ArgumentNullException.ThrowIfNull(txn);
        return _term is null ? txn : _term.Fence(txn);
    }

    /// <summary>
    /// Commits <paramref name="txn"/> under the fence. Returns false when the transaction's own guards failed; throws
    /// <see cref="NotLeaderException"/> when it failed because the term is over.
    /// </summary>
    internal async Task<(bool Succeeded, long Revision)> CommitAsync(EtcdConnection etcd, GuardedTxn txn, CancellationToken cancellationToken)
    {
        var (succeeded, revision) = await Apply(txn).CommitAsync(etcd, cancellationToken);
        if (!succeeded && _term is not null)
        {
            // A transaction does not say which compare failed, so ask: a leader key that is gone or rewritten never
            // comes back to the term's revision, so this answer cannot be stale in the term's favour.
            var leader = await etcd.GetAsync(_term.Key, cancellationToken);
            if (leader.Count == 0 || leader.Kvs[0].ModRevision != _term.Revision)
            {
                throw new NotLeaderException(_term.Revision);
            }
        }

        return (succeeded, revision);
    }
}
