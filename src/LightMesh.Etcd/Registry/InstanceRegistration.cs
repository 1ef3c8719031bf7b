using Etcdserverpb;
using Grpc.Core;
using LightMesh.Core;
using LightMesh.Core.Mesh;
using Microsoft.Extensions.Logging;

namespace LightMesh.Etcd.Registry;

/// <summary>
/// A live registration: keeps the instance's lease alive (every TTL/3), registers again if the lease was lost
/// (etcd down longer than the TTL), and on <see cref="StopAsync"/> revokes it so traffic leaves at once.
/// </summary>
public sealed class InstanceRegistration : IAsyncDisposable
{
    private readonly InstanceRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private InstanceRegistration(InstanceRegistry registry, Instance instance, long lease, TimeSpan ttl, TimeProvider time, ILogger logger)
    {
        _registry = registry;
        Instance = instance;
        Lease = lease;
        Ttl = ttl;
        _time = time;
        _logger = logger;
    }

    public Instance Instance { get; }
    public TimeSpan Ttl { get; }

    /// <summary>The lease the instance is registered under now; it changes after a re-registration.</summary>
    public long Lease { get; private set; }

    internal static InstanceRegistration Start(InstanceRegistry registry, Instance instance, long lease, TimeSpan ttl, TimeProvider time, ILogger logger)
    {
        var registration = new InstanceRegistration(registry, instance, lease, ttl, time, logger);
        registration._loop = Task.Run(() => registration.KeepAliveAsync(registration._stop.Token));
        return registration;
    }

    /// <summary>Stops keeping the lease alive; with <paramref name="revoke"/> the instance is removed now, else when the lease lapses.</summary>
    public async Task StopAsync(bool revoke, CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _loop;
        if (revoke)
        {
            try
            {
                await _registry.Etcd.LeaseRevokeAsync(Lease, cancellationToken);
            }
            catch (LightMeshException e) when (e.InnerException is RpcException { StatusCode: StatusCode.NotFound })
            {
                // The lease had lapsed already, and the instance with it: what revoking it was for.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
            try
            {
                await StopAsync(revoke: true, timeout.Token);
            }
            catch (Exception e) when (e is LightMeshException or OperationCanceledException)
            {
                // The lease lapses by itself within its TTL.
            }
        }

        _stop.Dispose();
    }

    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        var interval = Ttl / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            EtcdStreamCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse>? call = null;
            try
            {
                call = _registry.Etcd.OpenKeepAlive(cancellationToken);
                while (true)
                {
                    await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = Lease }, cancellationToken);
                    if (!await call.ResponseStream.MoveNext(cancellationToken))
                    {
                        throw new LightMeshException("etcd closed the keep-alive stream");
                    }

                    if (call.ResponseStream.Current.TTL <= 0)
                    {
                        Telemetry.Log.LeaseExpired(_logger, Instance.Service, Instance.Id);
                        Lease = await _registry.TryWriteAsync(Instance, Ttl, cancellationToken) ?? Lease;
                    }

                    await Task.Delay(interval, _time, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            // A connection cut mid-write surfaces as an IOException (HttpIOException) rather than an RpcException; both
            // mean etcd is away for now, and the loop must outlive it.
            catch (Exception e) when (e is RpcException or LightMeshException or IOException)
            {
                Telemetry.Log.KeepAliveFailed(_logger, Instance.Service, Instance.Id, interval, e);
                call?.MemberFailed(); // the next stream goes to another member
                call?.Dispose();
                call = null;
                try
                {
                    await Task.Delay(interval, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            finally
            {
                call?.Dispose();
            }
        }
    }
}
