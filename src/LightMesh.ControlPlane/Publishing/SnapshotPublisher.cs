using System.Diagnostics;
using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Telemetry;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Publishing;

/// <summary>Turns bursts of etcd changes into one translated snapshot each, and publishes it to the proxies.</summary>
public sealed class SnapshotPublisher(EtcdMeshSource source, ProxyRegistry registry, Debouncer debouncer, ILogger<SnapshotPublisher> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await debouncer.NextAsync(source.Changes, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            var snapshot = MeshTranslator.Translate(source.Snapshot(), registry.Current);
            foreach (var problem in snapshot.Problems)
            {
                Log.Withheld(logger, snapshot.Revision, problem);
            }

            registry.Publish(snapshot);
            var elapsed = Stopwatch.GetElapsedTime(started);
            XdsMetrics.PushDuration.Observe(elapsed.TotalSeconds);
            Log.Published(logger, snapshot.Revision, registry.ConnectedProxies, elapsed);
        }
    }
}
