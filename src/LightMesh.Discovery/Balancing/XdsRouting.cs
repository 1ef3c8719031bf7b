using LightMesh.Discovery.Xds.Resources;
using LightMesh.Discovery.Xds.Routing;

namespace LightMesh.Discovery.Balancing;

/// <summary>
/// What the <c>xds:///</c> resolver hands its channel's load balancer: the routes of the target's virtual host, in
/// order, and every cluster they name with its endpoints.
/// </summary>
internal sealed record XdsRouting(string Target, string VirtualHost, IReadOnlyList<RouteRule> Routes, IReadOnlyDictionary<string, ClusterEndpoints> Clusters);

/// <summary>A cluster's policy and endpoints; or, in <see cref="Problem"/>, why calls routed to it fail.</summary>
internal sealed record ClusterEndpoints(string Name, ClusterLbPolicy Policy, IReadOnlyList<EndpointAddress> Endpoints, string? Problem = null);
