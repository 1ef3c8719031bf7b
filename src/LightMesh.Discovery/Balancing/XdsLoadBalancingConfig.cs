using Grpc.Net.Client.Configuration;

namespace LightMesh.Discovery.Balancing;

/// <summary>
/// The service config's load-balancing entry the <c>xds:///</c> resolver returns: it names our policy and carries the
/// routing. Grpc.Net.Client hands a resolver's chosen config object to the policy as it is, so nothing is serialised.
/// </summary>
internal sealed class XdsLoadBalancingConfig(XdsRouting routing) : LoadBalancingConfig(Policy)
{
    public const string Policy = "lightmesh_xds";

    public XdsRouting Routing { get; } = routing;
}
