using LightMesh.DurableExecution;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Leadership;

/// <summary>
/// Deletes WorkflowCore's spent records (processed events, finished workflows) once they are past retention, while this
/// controller leads. A purge that fails (etcd away, a timeout) is tried again at the next interval: a term can last
/// weeks, and without the purge etcd keeps every release's workflow records until its space runs out.
/// </summary>
public sealed class WorkflowPurgeLoop(EtcdPersistenceProvider workflows, ReleaseEngineOptions options, TimeProvider time, ILogger<WorkflowPurgeLoop> logger) : ITermLoop
{
    /// <summary>How many unreadable keys a warning names; the rest are counted.</summary>
    private const int NamedUnreadable = 5;

    /// <summary>A sixth of the retention, from a second to ten minutes: a record is deleted at most that long after it is due.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Clamp(options.WorkflowRetention.Ticks / 6, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(10).Ticks));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, time, cancellationToken);
                try
                {
                    var purged = await workflows.PurgeAsync((time.GetUtcNow() - options.WorkflowRetention).UtcDateTime, cancellationToken);
                    if (purged.Unreadable.Count > 0)
                    {
                        Telemetry.Log.PurgeKeptUnreadable(logger, purged.Unreadable.Count, string.Join(", ", purged.Unreadable.Take(NamedUnreadable)));
                    }
                }
                catch (NotLeaderException)
                {
                    return; // the term is over; the next leader purges
                }
                catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException && !cancellationToken.IsCancellationRequested)
                {
                    Telemetry.Log.PurgeFailed(logger, Interval, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
    }
}
