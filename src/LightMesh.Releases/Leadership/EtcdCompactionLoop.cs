using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Maintenance;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Leadership;

/// <summary>
/// Compacts etcd's history while this controller leads: a round of <see cref="HistoryCompactor"/> at the start of the
/// term and every <see cref="ReleaseEngineOptions.EtcdCompactionInterval"/>, none when that is zero.
/// </summary>
public sealed class EtcdCompactionLoop(HistoryCompactor compactor, LeaderTerm leader, ReleaseEngineOptions options, TimeProvider time, ILogger<EtcdCompactionLoop> logger) : ITermLoop
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var period = options.EtcdCompactionInterval;
        if (period == TimeSpan.Zero)
        {
            return;
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    if (await compactor.CompactAsync(period, leader, cancellationToken) is { } revision)
                    {
                        Log.EtcdCompacted(logger, revision, period);
                    }
                }
                catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException && !cancellationToken.IsCancellationRequested)
                {
                    // etcd is away: the mark stays, and the next round cuts up to it.
                    Log.EtcdCompactionInterrupted(logger, period, e);
                }

                await Task.Delay(period, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
    }
}
