using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;

namespace LightMesh.Xds.Translation;

/// <summary>Everything the control plane translates, as read from etcd at one revision.</summary>
public sealed record MeshSnapshot(
    IReadOnlyList<MeshService> Services,
    IReadOnlyList<VirtualService> VirtualServices,
    IReadOnlyList<DestinationRule> DestinationRules,
    IReadOnlyList<Instance> Instances,
    IReadOnlyList<MeshNode> Nodes,
    long Revision)
{
    public static readonly MeshSnapshot Empty = new([], [], [], [], [], 0);
}
