using LightMesh.ControlPlane.Ads;
using LightMesh.Xds.Protocol;

namespace LightMesh.ControlPlane.Hosting;

/// <summary>What <c>/status</c> and <c>lightmesh xds status</c> show: the snapshot, what was held back, and every proxy.</summary>
public sealed record StatusReport(long Revision, IReadOnlyList<string> Problems, IReadOnlyList<ProxyStatus> Proxies)
{
    public static StatusReport From(ProxyRegistry registry) => new(registry.Current.Revision, registry.Current.Problems, registry.Status());
}
