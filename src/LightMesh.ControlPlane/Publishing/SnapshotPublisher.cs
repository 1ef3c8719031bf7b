using System.Diagnostics;
using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Telemetry;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Publishing;

/// <summary>
/// Turns bursts of etcd changes into one translated snapshot each, and publishes it to the proxies. A problem that
/// holds routes back is logged when it appears and when it clears, not again with every snapshot while it lasts.
/// </summary>
/// <remarks>
/// A snapshot that cannot be built (a fault in the translation, which no stored value is known to cause) is not
/// published: the proxies keep the last one, the failure is logged and counted, and the next change is tried again. One
/// bad value must not stop every later push while the rest of the controller looks healthy.
/// </remarks>
public sealed class SnapshotPublisher(EtcdMeshSource source, ProxyRegistry registry, Debouncer debouncer, MeshTranslation translate, ILogger<SnapshotPublisher> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var problems = new HashSet<string>(StringComparer.Ordinal);
        while (!cancellationToken.IsCancellationRequested)
        {
            await debouncer.NextAsync(source.Changes, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            var mesh = source.Snapshot();
            XdsSnapshot snapshot;
            try
            {
                snapshot = translate(mesh, registry.Current);
            }
            catch (Exception e)
            {
                XdsMetrics.TranslationFailures.Inc();
                registry.Failed(new SnapshotFailure(mesh.Revision, e.Message));
                Log.TranslationFailed(logger, mesh.Revision, registry.Current.Revision, e);
                continue;
            }

            foreach (var problem in snapshot.Problems.Where(p => !problems.Contains(p)))
            {
                Log.Withheld(logger, snapshot.Revision, problem);
            }

            foreach (var cleared in problems.Where(p => !snapshot.Problems.Contains(p)))
            {
                Log.NoLongerWithheld(logger, snapshot.Revision, cleared);
            }

            problems = snapshot.Problems.ToHashSet(StringComparer.Ordinal);

            registry.Publish(snapshot);
            var elapsed = Stopwatch.GetElapsedTime(started);
            XdsMetrics.PushDuration.Observe(elapsed.TotalSeconds);
            Log.Published(logger, snapshot.Revision, registry.ConnectedProxies, elapsed);
        }
    }
}
