using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;
using Microsoft.Extensions.Logging;
using LightMesh.Releases.Runs;

namespace LightMesh.Releases.Leadership;

/// <summary>
/// The leader's periodic look at every active release: each has a workflow, and each that is due (a timed pause or a
/// retry whose time has come, a step to carry out, an operator's wait to check) is woken. A wake-up lost on its way (etcd
/// away when a timer fired) costs at most one interval, never a stalled release.
/// </summary>
public sealed class ReleaseSweep(
    ReleaseStore store,
    IReleaseWaker waker,
    Func<string, CancellationToken, Task> ensureWorkflow,
    TimeProvider time,
    TimeSpan interval,
    ILogger<ReleaseSweep> logger) : ITermLoop
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, time, cancellationToken);
                try
                {
                    await SweepAsync(cancellationToken);
                }
                catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException && !cancellationToken.IsCancellationRequested)
                {
                    Telemetry.Log.SweepFailed(logger, interval, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
    }

    /// <summary>Wakes every active release that is due now; returns how many were woken.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var woken = 0;
        foreach (var release in await store.GetManyAsync((await store.ActiveIdsAsync(cancellationToken)).Ids, cancellationToken))
        {
            await ensureWorkflow(release.Id, cancellationToken);
            if (IsDue(release, time.GetUtcNow()))
            {
                await waker.WakeAsync(release.Id, cancellationToken);
                woken++;
            }
        }

        return woken;
    }

    /// <summary>Due unless it waits for a time still to come (its own timer wakes it then).</summary>
    public static bool IsDue(ReleaseState release, DateTimeOffset now) =>
        ReleaseDecider.Pending(release, now) is not WaitUntil wait || wait.Until <= now;
}
