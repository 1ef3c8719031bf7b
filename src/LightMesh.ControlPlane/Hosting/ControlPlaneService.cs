using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Publishing;
using LightMesh.ControlPlane.Reports;
using LightMesh.ControlPlane.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.ControlPlane.Hosting;

/// <summary>
/// Runs the etcd source, the publisher, this controller's report of its proxies and its view of the others' for as long
/// as the host runs. Each is started again, a second later, whatever ends it early: an etcd failure, or a fault no one
/// has found yet. Awaiting them together would hide one that ended while the others ran, and leave a controller that
/// looks healthy but no longer pushes, reports or watches.
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
            KeepRunningAsync(publisher.RunAsync, "The snapshot publisher", stoppingToken),
            KeepRunningAsync(reporter.RunAsync, "The report of this controller's proxies", stoppingToken),
            KeepRunningAsync(mesh.RunAsync, "The watch of the other controllers' reports", stoppingToken));
    }

    private Task KeepRunningAsync(Func<CancellationToken, Task> run, string what, CancellationToken stoppingToken) =>
        KeepRunningAsync(run, what, RetryDelay, time, logger, stoppingToken);

    /// <summary>
    /// Runs <paramref name="run"/> until <paramref name="stoppingToken"/> ends, starting it again <paramref name="retryDelay"/>
    /// after it throws, or returns, while the token runs; each restart is logged as an error.
    /// </summary>
    internal static async Task KeepRunningAsync(
        Func<CancellationToken, Task> run, string what, TimeSpan retryDelay, TimeProvider time, ILogger logger, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await run(stoppingToken);
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                Log.ReturnedRestarting(logger, what, retryDelay);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Anything else, a cancellation too (a timeout's, say): the loop is what must go on.
                Log.StoppedRetrying(logger, what, retryDelay, e);
            }

            // Stopping ends the wait, and then the loop.
            await Task.Delay(retryDelay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
