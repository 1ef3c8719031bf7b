using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;

namespace LightMesh.Xds.Translation;

/// <summary>
/// One service's part of a translation, with the inputs it was built from. The next translation reuses it when
/// those inputs are the very same objects (the etcd source keeps unchanged documents as they were), so a change
/// to one service rebuilds and re-serialises only that service.
/// </summary>
public sealed record ServiceTranslation(
    MeshService Service,
    DestinationRule? Rule,
    VirtualService? Routing,
    IReadOnlyList<Instance> Instances,
    string Dependencies,
    IReadOnlyList<XdsResource> Clusters,
    IReadOnlyList<XdsResource> Endpoints,
    GoodHost Built,
    IReadOnlyList<XdsResource> Listeners)
{
    public bool BuiltFrom(MeshService service, DestinationRule? rule, VirtualService? routing, IReadOnlyList<Instance> instances, string dependencies) =>
        ReferenceEquals(service, Service) && ReferenceEquals(rule, Rule) && ReferenceEquals(routing, Routing)
        && dependencies == Dependencies
        && instances.Count == Instances.Count && instances.Select((instance, i) => ReferenceEquals(instance, Instances[i])).All(same => same);
}
