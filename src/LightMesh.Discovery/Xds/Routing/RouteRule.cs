namespace LightMesh.Discovery.Xds.Routing;

/// <summary>A cluster a route sends traffic to, and its share.</summary>
internal sealed record RouteCluster(string Name, uint Weight);

/// <summary>
/// One route of a virtual host: what a call must match (path, headers, and the fraction of calls it applies to) and
/// the clusters it goes to by weight. A route with no clusters does not forward (a redirect, a direct response):
/// calls that match it fail.
/// </summary>
internal sealed record RouteRule(string Name, PathMatcher Path, IReadOnlyList<HeaderRule> Headers, IReadOnlyList<RouteCluster> Clusters, uint? MatchPerMillion = null)
{
    public const uint Million = 1_000_000;

    public ulong TotalWeight { get; } = Clusters.Aggregate(0UL, (sum, c) => sum + c.Weight);

    /// <param name="header">The call's value of a header (lower-case name), or null when it has none.</param>
    /// <param name="roll">A uniformly random number below <see cref="Million"/>, asked for only when the route applies to a fraction of calls.</param>
    public bool Matches(string path, Func<string, string?> header, Func<uint> roll)
    {
        if (!Path.Matches(path))
        {
            return false;
        }

        foreach (var rule in Headers)
        {
            if (!rule.Matches(header(rule.Name)))
            {
                return false;
            }
        }

        return MatchPerMillion is not { } fraction || roll() < fraction;
    }

    /// <summary>The cluster a call goes to, given a uniformly random number below <see cref="TotalWeight"/>.</summary>
    public string PickCluster(ulong roll)
    {
        foreach (var cluster in Clusters)
        {
            if (roll < cluster.Weight)
            {
                return cluster.Name;
            }

            roll -= cluster.Weight;
        }

        throw new ArgumentOutOfRangeException(nameof(roll), roll, $"must be below the total weight {TotalWeight}");
    }

    public override string ToString() => $"{Name} ({Path})";
}
