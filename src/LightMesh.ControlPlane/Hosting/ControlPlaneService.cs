using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Publishing;
using LightMesh.ControlPlane.Telemetry;
using LightMesh.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.ControlPlane.Hosting;

/// <summary>Runs the etcd source and the publisher for as long as the host runs; restarts the source if etcd fails it.</summary>
public sealed class ControlPlaneService(EtcdMeshSource source, SnapshotPublisher publisher, TimeProvider time, IOptions<XdsServerOptions> options, ILogger<ControlPlaneService> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.AllowAnonymous)
        {
            Log.AnonymousAllowed(logger, options.Value.Listen);
        }

        return Task.WhenAll(RunSourceAsync(stoppingToken), publisher.RunAsync(stoppingToken));
    }

    private async Task RunSourceAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await source.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (LightMeshException e)
            {
                Log.SourceFailed(logger, RetryDelay, e);
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }
    }
}
