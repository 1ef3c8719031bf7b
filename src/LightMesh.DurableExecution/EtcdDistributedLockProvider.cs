using System.Collections.Concurrent;
using LightMesh.Etcd;
using WorkflowCore.Interface;

namespace LightMesh.DurableExecution;

/// <summary>
/// WorkflowCore's distributed locks as etcd keys under <c>locks/workflows/</c>, held under the leader term's lease so
/// every lock of a controller that dies goes with it.
/// </summary>
public sealed class EtcdDistributedLockProvider : IDistributedLockProvider
{
    // ReleaseLock gets no token from WorkflowCore; a release must not hang a worker for ever.
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

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
        var holder = $"{_owner} {Guid.NewGuid():N}";
        try
        {
            var (acquired, revision) = await _fence.CommitAsync(_etcd, new GuardedTxn().Absent(key).Put(key, holder, _fence.Lease), cancellationToken);
            if (acquired)
            {
                _held[Id] = revision;
            }

            return acquired;
        }
        catch (Exception e) when (e is Core.ServerUnreachableException or OperationCanceledException)
        {
            // etcd may have taken the lock without the answer arriving; a lock nobody knows it holds would keep its
            // workflow (or every poll) waiting for the rest of the term. Look, and hold it if it is this attempt's.
            using var timeout = new CancellationTokenSource(ReleaseTimeout);
            var found = await _etcd.GetAsync(key, timeout.Token);
            if (found.Kvs.Count == 1 && found.Kvs[0].Value.ToStringUtf8() == holder)
            {
                _held[Id] = found.Kvs[0].ModRevision;
                return true;
            }

            throw;
        }
    }

    /// <summary>
    /// Deletes the lock this provider took. A lock left behind would keep its workflow from running for the rest of the
    /// term (WorkflowCore answers "Workflow locked" to every wake-up), so a delete that etcd did not take (etcd away for a
    /// moment) is tried again until it is taken or the term's lease, and the lock with it, is gone.
    /// </summary>
    public async Task ReleaseLock(string Id)
    {
        if (!_held.TryGetValue(Id, out var revision))
        {
            return;
        }

        // Not fenced: deleting the lock this provider created can never harm a new leader, and a deposed one should
        // still be able to clean up. If the lease took the lock and another owner holds it now, the guard keeps it.
        var key = _etcd.Keys.WorkflowLock(Id);
        var delay = TimeSpan.FromMilliseconds(100);
        for (var deadline = DateTimeOffset.UtcNow + ReleaseTimeout; ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks)))
        {
            try
            {
                using var timeout = new CancellationTokenSource(ReleaseTimeout);
                await new GuardedTxn().Unchanged(key, revision).Delete(key).CommitAsync(_etcd, timeout.Token);
                break;
            }
            catch (Exception e) when (e is Core.ServerUnreachableException or OperationCanceledException && !_fence.Lost.IsCancellationRequested)
            {
                if (DateTimeOffset.UtcNow > deadline && _fence.Lease == 0)
                {
                    throw;
                }

                // etcd is away: the lock is still there, and so is the term's lease (or it would take the lock with it).
                try
                {
                    await Task.Delay(delay, _fence.Lost);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        _held.TryRemove(new KeyValuePair<string, long>(Id, revision));
    }

    public Task Start() => Task.CompletedTask;

    /// <summary>Releases every lock this provider holds, so another controller can take the work over at once.</summary>
    public Task Stop() => Task.WhenAll(_held.Keys.Select(ReleaseLock));
}
