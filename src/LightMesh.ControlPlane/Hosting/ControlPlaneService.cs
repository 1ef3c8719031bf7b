using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Publishing;
using LightMesh.ControlPlane.Reports;
using LightMesh.ControlPlane.Telemetry;
using LightMesh.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.ControlPlane.Hosting;

/// <summary>
/// Runs the etcd source, the publisher, this controller's report of its proxies and its view of the others' for as long
/// as the host runs; restarts the source and the view if etcd fails them.
/// </summary>
public sealed class ControlPlaneService(
    EtcdMeshSource source, SnapshotPublisher publisher, ControllerReporter reporter, MeshProxies mesh, TimeProvider time, IOptions<XdsServerOptions> options, ILogger<ControlPlaneService> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.AllowAnonymous)
        {
            Log.AnonymousAllowed(logger, options.Value.Listen);
        }

        return Task.WhenAll(
            KeepRunningAsync(source.RunAsync, "The etcd mesh source", stoppingToken),
            publisher.RunAsync(stoppingToken),
            reporter.RunAsync(stoppingToken),
            KeepRunningAsync(mesh.RunAsync, "The watch of the other controllers' reports", stoppingToken));
    }

    private async Task KeepRunningAsync(Func<CancellationToken, Task> run, string what, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await run(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (LightMeshException e)
            {
                Log.StoppedRetrying(logger, what, RetryDelay, e);
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }
    }
}
