using LightMesh.ControlPlane.Publishing;

namespace LightMesh.ControlPlane.Ads;

/// <summary>A proxy that has not yet ACKed resources built from the awaited revision.</summary>
/// <param name="Controller">The controller it is connected to.</param>
/// <param name="Unknown">
/// Its controller stopped reporting (it died, froze, or lost etcd) and the proxy has not shown up on another one: what it
/// holds now is not known, so it counts as behind.
/// </param>
public sealed record LaggingProxy(string NodeId, string StreamId, long ConvergedRevision, string Controller = "", bool Unknown = false)
{
    public override string ToString() => Unknown
        ? $"{NodeId} on {Controller} (gone since it had {ConvergedRevision})"
        : $"{NodeId} on {Controller} at {ConvergedRevision}";
}

/// <summary>The outcome of a convergence wait: all subscribed proxies caught up, or which ones lag.</summary>
/// <param name="PublishedRevision">The revision of the snapshot this controller had published.</param>
/// <param name="ReportsRead">False while the other controllers' reports have not been read from etcd yet: nothing is known of their proxies.</param>
/// <param name="NotBuilt">The snapshot this controller could not build since <paramref name="PublishedRevision"/>, if one could not.</param>
public sealed record ConvergenceResult(
    bool Converged, long Revision, int Proxies, IReadOnlyList<LaggingProxy> Lagging, long PublishedRevision = 0, bool ReportsRead = true, SnapshotFailure? NotBuilt = null);
