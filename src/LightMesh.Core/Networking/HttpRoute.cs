using LightMesh.Core.Validation;

namespace LightMesh.Core.Networking;

/// <summary>One <c>http</c> rule: when it matches, where it sends traffic, and how.</summary>
public sealed record HttpRoute
{
    public string? Name { get; init; }

    /// <summary>Empty means the route matches every request.</summary>
    public IReadOnlyList<HttpMatchRequest> Match { get; init; } = [];

    public required IReadOnlyList<HttpRouteDestination> Route { get; init; }
    public Duration? Timeout { get; init; }
    public HttpRetry? Retries { get; init; }
    public HttpFaultInjection? Fault { get; init; }
    public Destination? Mirror { get; init; }

    /// <summary>Percent (0..100) of requests mirrored; Istio mirrors all when unset.</summary>
    public double? MirrorPercentage { get; init; }
}
