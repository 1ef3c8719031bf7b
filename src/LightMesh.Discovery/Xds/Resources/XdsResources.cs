using LightMesh.Discovery.Xds.Routing;

namespace LightMesh.Discovery.Xds.Resources;

/// <summary>An API listener, as a proxyless client uses it: where its routes come from.</summary>
/// <param name="RouteConfigName">The RouteConfiguration to fetch by RDS; null when the routes are inline.</param>
internal sealed record ListenerResource(string Name, string? RouteConfigName, RouteConfigResource? InlineRoutes);

/// <summary>A RouteConfiguration: its virtual hosts, each with its routes in order.</summary>
internal sealed record RouteConfigResource(string Name, IReadOnlyList<VirtualHostRoutes> VirtualHosts);

/// <summary>How a cluster spreads calls over its endpoints.</summary>
internal enum ClusterLbPolicy
{
    RoundRobin,
    LeastRequest,
    Random,
}

/// <summary>A Cluster: its endpoints come by EDS under <see cref="EdsServiceName"/>.</summary>
internal sealed record ClusterResource(string Name, string EdsServiceName, ClusterLbPolicy Policy);

/// <summary>One address of a cluster.</summary>
internal sealed record EndpointAddress(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>A ClusterLoadAssignment reduced to the endpoints calls may go to.</summary>
internal sealed record EndpointsResource(string Name, IReadOnlyList<EndpointAddress> Endpoints);

/// <summary>One resource of a response: its name when it could be read, what it says when valid, and else every problem.</summary>
internal sealed record DecodedResource(string? Name, object? Resource, IReadOnlyList<string> Errors);
