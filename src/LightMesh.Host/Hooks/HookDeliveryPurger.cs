using LightMesh.Core;
using Microsoft.Extensions.Hosting;

namespace LightMesh.Host.Hooks;

/// <summary>Deletes webhook deliveries older than <see cref="Retention"/>, once an hour; any controller may, it is harmless twice.</summary>
public sealed class HookDeliveryPurger(HookDeliveries deliveries, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
                await deliveries.PurgeAsync(Retention, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is LightMeshException or Grpc.Core.RpcException)
            {
                // etcd is away; the next hour purges.
            }
        }
    }
}
