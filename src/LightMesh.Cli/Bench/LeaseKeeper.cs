using Etcdserverpb;
using Grpc.Core;
using LightMesh.Core;
using LightMesh.Etcd;

namespace LightMesh.Cli.Bench;

/// <summary>
/// One etcd lease that a benchmark's instances are registered under, kept alive (every TTL/3) for the run and revoked
/// on dispose; if the benchmark dies, the instances vanish by themselves within the TTL.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly EtcdConnection _etcd;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private LeaseKeeper(EtcdConnection etcd, long id)
    {
        _etcd = etcd;
        Id = id;
    }

    public long Id { get; }

    public static async Task<LeaseKeeper> StartAsync(EtcdConnection etcd, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var lease = new LeaseKeeper(etcd, (await etcd.LeaseGrantAsync(ttl, cancellationToken)).ID);
        lease._loop = Task.Run(() => lease.KeepAliveAsync(ttl / 3, lease._stop.Token), CancellationToken.None);
        return lease;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _etcd.LeaseRevokeAsync(Id, timeout.Token);
        }
        catch (Exception e) when (e is LightMeshException or OperationCanceledException)
        {
            // It lapses by itself within its TTL.
        }

        _stop.Dispose();
    }

    private async Task KeepAliveAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var call = _etcd.OpenKeepAlive(cancellationToken);
                while (true)
                {
                    await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = Id }, cancellationToken);
                    using var answer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    answer.CancelAfter(TimeSpan.FromSeconds(10));
                    if (!await call.ResponseStream.MoveNext(answer.Token))
                    {
                        throw new LightMeshException("etcd closed the keep-alive stream");
                    }

                    if (call.ResponseStream.Current.TTL <= 0)
                    {
                        // Nothing brings it back: the instances are gone, and the releases' deploy steps will say so.
                        Output.Printer.Error($"bench: etcd lease {Id:x} of the benchmark's instances expired");
                        return;
                    }

                    await Task.Delay(interval, cancellationToken);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException && cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or LightMeshException or OperationCanceledException)
            {
                Output.Printer.Error($"bench: keeping the instances' lease alive failed, trying again: {e.Message}");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
