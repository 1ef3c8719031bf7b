using Etcdserverpb;
using Grpc.Core;
using LightMesh.Core;

namespace LightMesh.Etcd.Leadership;

/// <summary>
/// One term of leadership: the leader key is held under a lease kept alive at TTL/3. <see cref="Lost"/> fires when the
/// lease can no longer be kept; <see cref="Fence"/> makes a write conditional on this term still being the current one,
/// so a deposed leader's writes are rejected by etcd itself.
/// </summary>
public sealed class LeaderTerm : IAsyncDisposable
{
    private readonly EtcdConnection _etcd;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly Task _keepAlive;

    internal LeaderTerm(EtcdConnection etcd, string key, string candidate, long lease, long revision, TimeSpan ttl, TimeProvider time)
    {
        _etcd = etcd;
        Key = key;
        Candidate = candidate;
        Lease = lease;
        Revision = revision;
        _time = time;
        _keepAlive = Task.Run(() => KeepAliveAsync(ttl));
    }

    public string Key { get; }
    public string Candidate { get; }
    public long Lease { get; }

    /// <summary>The etcd revision at which this term began: the leader key's mod revision while the term lasts.</summary>
    public long Revision { get; }

    /// <summary>Cancelled when leadership is lost (the lease lapsed or could not be renewed).</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Adds the guard that this term is still the current one.</summary>
    public GuardedTxn Fence(GuardedTxn txn) => txn.Unchanged(Key, Revision);

    /// <summary>True while this term is still the current one (after a fenced write failed: was it the fence?).</summary>
    public async Task<bool> IsCurrentAsync(CancellationToken cancellationToken)
    {
        var current = await _etcd.GetAsync(Key, cancellationToken);
        return current.Count > 0 && current.Kvs[0].ModRevision == Revision;
    }

    /// <summary>Gives leadership up now (the lease is revoked), so a standby takes over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _keepAlive;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _etcd.LeaseRevokeAsync(Lease, timeout.Token);
        }
        catch (Exception e) when (e is LightMeshException or OperationCanceledException)
        {
            // The lease lapses by itself.
        }

        await _lost.CancelAsync();
        _lost.Dispose();
        _stop.Dispose();
    }

    /// <summary>Stops renewing the lease without revoking it: what a frozen or partitioned leader looks like to the others.</summary>
    public async Task AbandonAsync()
    {
        await _stop.CancelAsync();
        await _keepAlive;
    }

    private async Task KeepAliveAsync(TimeSpan ttl)
    {
        var lastRenewed = _time.GetTimestamp();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var call = _etcd.OpenKeepAlive(_stop.Token);
                while (!_stop.IsCancellationRequested)
                {
                    await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = Lease }, _stop.Token);
                    if (!await call.ResponseStream.MoveNext(_stop.Token) || call.ResponseStream.Current.TTL <= 0)
                    {
                        await _lost.CancelAsync();
                        return;
                    }

                    lastRenewed = _time.GetTimestamp();
                    await Task.Delay(ttl / 3, _time, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException && _stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or IOException)
            {
                // etcd unreachable (a connection cut mid-write is an IOException): once the lease may have lapsed, leadership is gone.
                if (_time.GetElapsedTime(lastRenewed) >= ttl)
                {
                    await _lost.CancelAsync();
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), _time, CancellationToken.None);
            }
        }
    }
}
