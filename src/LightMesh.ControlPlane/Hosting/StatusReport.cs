using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Publishing;
using LightMesh.Xds.Protocol;

namespace LightMesh.ControlPlane.Hosting;

/// <summary>
/// What <c>/status</c> and <c>lightmesh xds status</c> show: the snapshot, what was held back, every proxy, and the
/// snapshot that could not be built since, if one could not.
/// </summary>
public sealed record StatusReport(long Revision, IReadOnlyList<string> Problems, IReadOnlyList<ProxyStatus> Proxies, SnapshotFailure? NotBuilt = null)
{
    public static StatusReport From(ProxyRegistry registry) => new(registry.Current.Revision, registry.Current.Problems, registry.Status(), registry.Failure);
}
