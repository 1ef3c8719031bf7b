using LightMesh.Etcd.Releases;
using LightMesh.Releases.Telemetry;

namespace LightMesh.Releases.Leadership;

/// <summary>Keeps the releases-by-phase and groups-by-phase gauges current while this controller leads.</summary>
public sealed class PhaseCountLoop(ReleaseHistory history, ReleaseGroupStore groups, ReleaseEngineOptions options, TimeProvider time) : ITermLoop
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    // From the release index: the phase of every release without reading one.
                    ReleaseMetrics.CountPhases((await history.ListingsAsync(cancellationToken)).Select(e => e.Listing.Phase));
                    ReleaseMetrics.CountGroupPhases((await groups.ListAsync(cancellationToken)).Select(g => g.Phase));
                }
                catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
                {
                    // etcd is away (or an index entry is not one): the gauge keeps its last counts until the next round.
                }

                await Task.Delay(options.PhaseCountInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
        finally
        {
            // A controller that no longer leads reports no phases, so a sum over controllers counts each release once.
            ReleaseMetrics.ForgetPhases();
            ReleaseMetrics.ForgetGroupPhases();
        }
    }
}
