using System.Collections.Concurrent;
using LightMesh.Etcd;
using WorkflowCore.Interface;

namespace LightMesh.Workflows;

/// <summary>
/// WorkflowCore's distributed locks as etcd keys under <c>locks/workflows/</c>, held under the leader term's lease so
/// every lock of a controller that dies goes with it.
/// </summary>
public sealed class EtcdDistributedLockProvider : IDistributedLockProvider
{
    // ReleaseLock gets no token from WorkflowCore; a release must not hang a worker for ever.
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(10);

    private readonly EtcdConnection _etcd;
    private readonly WorkflowFence _fence;
    private readonly string _owner;

    // The mod revision each held lock was created at: a release deletes the lock only if it is still that one.
    private readonly ConcurrentDictionary<string, long> _held = new(StringComparer.Ordinal);

    public EtcdDistributedLockProvider(EtcdConnection etcd, WorkflowFence fence, string owner)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        ArgumentNullException.ThrowIfNull(fence);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        _etcd = etcd;
        _fence = fence;
        _owner = owner;
    }

    /// <summary>Takes the lock if nobody holds it; false if somebody (this owner included) does.</summary>
    public async Task<bool> AcquireLock(string Id, CancellationToken cancellationToken)
    {
        var key = _etcd.Keys.WorkflowLock(Id);
        var (acquired, revision) = await _fence.CommitAsync(_etcd, new GuardedTxn().Absent(key).Put(key, _owner, _fence.Lease), cancellationToken);
        if (acquired)
        {
            _held[Id] = revision;
        }

        return acquired;
    }

    public async Task ReleaseLock(string Id)
    {
        if (!_held.TryGetValue(Id, out var revision))
        {
            return;
        }

        // Not fenced: deleting the lock this provider created can never harm a new leader, and a deposed one should
        // still be able to clean up. If the lease took the lock and another owner holds it now, the guard keeps it.
        using var timeout = new CancellationTokenSource(ReleaseTimeout);
        var key = _etcd.Keys.WorkflowLock(Id);
        await new GuardedTxn().Unchanged(key, revision).Delete(key).CommitAsync(_etcd, timeout.Token);
        _held.TryRemove(new KeyValuePair<string, long>(Id, revision));
    }

    public Task Start() => Task.CompletedTask;

    /// <summary>Releases every lock this provider holds, so another controller can take the work over at once.</summary>
    public Task Stop() => Task.WhenAll(_held.Keys.Select(ReleaseLock));
}
