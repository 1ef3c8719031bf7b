namespace LightMesh.ControlPlane.Ads;

/// <summary>A proxy that has not yet ACKed resources built from the awaited revision.</summary>
public sealed record LaggingProxy(string NodeId, string StreamId, long ConvergedRevision);

/// <summary>The outcome of a convergence wait: all subscribed proxies caught up, or which ones lag.</summary>
public sealed record ConvergenceResult(bool Converged, long Revision, int Proxies, IReadOnlyList<LaggingProxy> Lagging, long PublishedRevision = 0);
