using Etcdserverpb;
using Grpc.Core;
using LightMesh.Core;

namespace LightMesh.Etcd.Leases;

/// <summary>
/// An etcd lease kept alive (renewed every TTL/3) until it is disposed, which revokes it. <see cref="Lost"/> fires when
/// the lease can no longer be counted on: etcd said it expired, or it could not be renewed for a whole TTL. Whatever is
/// held under it (a leader key, a node lock, a benchmark's instances) lapses by itself within the TTL if the holder dies.
/// </summary>
public sealed class KeptLease : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly EtcdConnection _etcd;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private KeptLease(EtcdConnection etcd, long id, TimeSpan ttl, TimeProvider time)
    {
        _etcd = etcd;
        _time = time;
        Id = id;
        Ttl = ttl;
        _loop = Task.Run(() => KeepAliveAsync(ttl), CancellationToken.None);
    }

    public long Id { get; }

    public TimeSpan Ttl { get; }

    /// <summary>Cancelled when the lease expired or could not be renewed for a whole TTL.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Grants a lease of <paramref name="ttl"/> (whole seconds, rounded up) and starts keeping it alive.</summary>
    public static async Task<KeptLease> GrantAsync(EtcdConnection etcd, TimeSpan ttl, TimeProvider time, CancellationToken cancellationToken) =>
        new(etcd, (await etcd.LeaseGrantAsync(ttl, cancellationToken)).ID, ttl, time);

    /// <summary>Stops renewing the lease without revoking it: what a frozen or dead holder looks like to the others.</summary>
    public async Task AbandonAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    /// <summary>Stops renewing and revokes the lease, so what it holds is released at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await AbandonAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _etcd.LeaseRevokeAsync(Id, timeout.Token);
        }
        catch (Exception e) when (e is LightMeshException or OperationCanceledException)
        {
            // It lapses by itself within its TTL.
        }

        await _lost.CancelAsync();
        _lost.Dispose();
        _stop.Dispose();
    }

    private async Task KeepAliveAsync(TimeSpan ttl)
    {
        var lastRenewed = _time.GetTimestamp();
        while (!_stop.IsCancellationRequested)
        {
            EtcdStreamCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse>? call = null;
            try
            {
                call = _etcd.OpenKeepAlive(_stop.Token);
                while (!_stop.IsCancellationRequested)
                {
                    await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = Id }, _stop.Token);
                    using var answer = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    answer.CancelAfter(_etcd.Options.RequestTimeout); // a member that does not answer in time is given up
                    if (!await call.ResponseStream.MoveNext(answer.Token))
                    {
                        throw new LightMeshException("etcd closed the keep-alive stream");
                    }

                    if (call.ResponseStream.Current.TTL <= 0)
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
            catch (Exception e) when (e is RpcException or IOException or LightMeshException or OperationCanceledException)
            {
                // etcd unreachable (a connection cut mid-write is an IOException): once the lease may have lapsed, it is lost.
                // Until then the next stream goes to another member.
                call?.MemberFailed();
                if (_time.GetElapsedTime(lastRenewed) >= ttl)
                {
                    await _lost.CancelAsync();
                    return;
                }

                await Task.Delay(RetryDelay, _time, CancellationToken.None);
            }
            finally
            {
                call?.Dispose();
            }
        }
    }
}
