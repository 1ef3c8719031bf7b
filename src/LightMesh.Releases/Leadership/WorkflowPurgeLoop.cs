using LightMesh.DurableExecution;

namespace LightMesh.Releases.Leadership;

/// <summary>Deletes WorkflowCore's spent records (processed events, finished workflows) once they are past retention, while this controller leads.</summary>
public sealed class WorkflowPurgeLoop(EtcdPersistenceProvider workflows, ReleaseEngineOptions options, TimeProvider time) : ITermLoop
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromTicks(Math.Clamp(options.WorkflowRetention.Ticks / 6, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(10).Ticks));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, time, cancellationToken);
                await workflows.PurgeAsync((time.GetUtcNow() - options.WorkflowRetention).UtcDateTime, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
        catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException)
        {
            // The next term purges; nothing depends on it.
        }
    }
}
