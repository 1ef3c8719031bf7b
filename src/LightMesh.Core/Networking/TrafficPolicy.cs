using LightMesh.Core.Validation;

namespace LightMesh.Core.Networking;

/// <summary>Load balancing, connection limits and outlier detection towards a service or subset.</summary>
public sealed record TrafficPolicy
{
    public LoadBalancerKind? LoadBalancer { get; init; }
    public ConnectionPoolSettings? ConnectionPool { get; init; }
    public OutlierDetection? OutlierDetection { get; init; }
}

/// <summary>The <c>loadBalancer.simple</c> algorithms we support.</summary>
public enum LoadBalancerKind
{
    RoundRobin,
    LeastRequest,
    Random,
}

/// <summary>The names Istio documents use for each <see cref="LoadBalancerKind"/>.</summary>
public static class LoadBalancerNames
{
    public static readonly IReadOnlyDictionary<string, LoadBalancerKind> ByName = new Dictionary<string, LoadBalancerKind>(StringComparer.Ordinal)
    {
        ["ROUND_ROBIN"] = LoadBalancerKind.RoundRobin,
        ["LEAST_REQUEST"] = LoadBalancerKind.LeastRequest,
        ["RANDOM"] = LoadBalancerKind.Random,
    };

    public static string Of(LoadBalancerKind kind) => ByName.First(kv => kv.Value == kind).Key;
}

/// <summary>Istio's <c>connectionPool</c>: TCP and HTTP limits.</summary>
public sealed record ConnectionPoolSettings
{
    public int? MaxConnections { get; init; }
    public Duration? ConnectTimeout { get; init; }
    public int? Http1MaxPendingRequests { get; init; }
    public int? Http2MaxRequests { get; init; }
    public int? MaxRequestsPerConnection { get; init; }
    public int? MaxRetries { get; init; }
    public Duration? IdleTimeout { get; init; }
}

/// <summary>Istio's <c>outlierDetection</c>: eject hosts that keep failing.</summary>
public sealed record OutlierDetection
{
    public int? Consecutive5xxErrors { get; init; }
    public int? ConsecutiveGatewayErrors { get; init; }
    public Duration? Interval { get; init; }
    public Duration? BaseEjectionTime { get; init; }
    public int? MaxEjectionPercent { get; init; }
    public int? MinHealthPercent { get; init; }
}
