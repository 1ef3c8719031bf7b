using LightMesh.Core.Documents;

namespace LightMesh.Core.Networking;

/// <summary>Istio's VirtualService: how requests to a set of hosts are routed to subsets of a service.</summary>
public sealed record VirtualService : Document
{
    public override DocumentKind Kind => DocumentKind.VirtualService;
    public required VirtualServiceSpec Spec { get; init; }
}

/// <summary>The <c>spec</c> of a <see cref="VirtualService"/>: hosts and the ordered HTTP routes.</summary>
public sealed record VirtualServiceSpec
{
    public required IReadOnlyList<string> Hosts { get; init; }
    public required IReadOnlyList<HttpRoute> Http { get; init; }

    /// <summary>Every destination the routes send traffic to or mirror it to, route by route.</summary>
    public IEnumerable<Destination> Destinations() =>
        Http.SelectMany(route => route.Route.Select(r => r.Destination).Concat(route.Mirror is { } mirror ? [mirror] : []));
}
