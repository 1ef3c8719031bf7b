namespace LightMesh.Discovery.Xds.Routing;

/// <summary>A virtual host of a route configuration: the domains it answers for, and its routes in order.</summary>
internal sealed record VirtualHostRoutes(string Name, IReadOnlyList<string> Domains, IReadOnlyList<RouteRule> Routes)
{
    /// <summary>
    /// The virtual host whose domains best match <paramref name="authority"/> (the target, e.g. <c>checkout:8080</c>), as
    /// gRPC and Envoy choose it: an exact domain first, then the longest <c>*suffix</c>, then the longest
    /// <c>prefix*</c>, then <c>*</c>. Domains are compared without regard to case.
    /// </summary>
    public static VirtualHostRoutes? Select(IReadOnlyList<VirtualHostRoutes> hosts, string authority)
    {
        VirtualHostRoutes? best = null;
        var bestRank = (Kind: int.MaxValue, Length: 0);
        foreach (var host in hosts)
        {
            foreach (var domain in host.Domains)
            {
                if (Rank(domain, authority) is { } rank && (rank.Kind < bestRank.Kind || (rank.Kind == bestRank.Kind && rank.Length > bestRank.Length)))
                {
                    best = host;
                    bestRank = rank;
                }
            }
        }

        return best;
    }

    private static (int Kind, int Length)? Rank(string domain, string authority)
    {
        const StringComparison ignoreCase = StringComparison.OrdinalIgnoreCase;
        if (domain == "*")
        {
            return (3, 1);
        }

        var wildcard = domain.IndexOf('*', StringComparison.Ordinal);
        if (wildcard < 0)
        {
            return string.Equals(domain, authority, ignoreCase) ? (0, domain.Length) : null;
        }

        if (wildcard == 0 && domain.LastIndexOf('*') == 0)
        {
            return authority.Length >= domain.Length && authority.EndsWith(domain[1..], ignoreCase) ? (1, domain.Length) : null;
        }

        if (wildcard == domain.Length - 1)
        {
            return authority.Length >= domain.Length && authority.StartsWith(domain[..^1], ignoreCase) ? (2, domain.Length) : null;
        }

        return null; // a '*' inside a domain matches nothing
    }
}
