using System.Text.RegularExpressions;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Envoy.Extensions.Filters.Http.Router.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Type.Matcher.V3;
using Envoy.Type.V3;
using Google.Protobuf.WellKnownTypes;
using Google.Protobuf;
using LightMesh.Discovery.Xds.Routing;
using LightMesh.Xds.Translation;

namespace LightMesh.Discovery.Xds.Resources;

/// <summary>
/// Reads the resources of an ADS response as a proxyless gRPC client uses them, and says everything it cannot use,
/// each with its field path. Pure. Fields a client has no use for are ignored; a value it cannot honour makes the
/// resource invalid (gRFC A46: the response is NACKed and the last good version of that resource stays in use).
/// </summary>
internal static class ResourceDecoder
{
    private static readonly string HttpConnectionManagerType = TypeUrls.Prefix + HttpConnectionManager.Descriptor.FullName;
    private static readonly string RouterType = TypeUrls.Prefix + Router.Descriptor.FullName;
    private static readonly string FaultType = TypeUrls.Prefix + HTTPFault.Descriptor.FullName;

    public static DecodedResource Decode(string typeUrl, Any resource)
    {
        if (resource.TypeUrl != typeUrl)
        {
            return new DecodedResource(null, null, [$"a {resource.TypeUrl} in a response for {typeUrl}"]);
        }

        try
        {
            return typeUrl switch
            {
                TypeUrls.Listener => Listener(Envoy.Config.Listener.V3.Listener.Parser.ParseFrom(resource.Value)),
                TypeUrls.Route => Routes(Envoy.Config.Route.V3.RouteConfiguration.Parser.ParseFrom(resource.Value)),
                TypeUrls.Cluster => Cluster(Envoy.Config.Cluster.V3.Cluster.Parser.ParseFrom(resource.Value)),
                TypeUrls.Endpoint => Endpoints(ClusterLoadAssignment.Parser.ParseFrom(resource.Value)),
                _ => new DecodedResource(null, null, [$"{typeUrl} is not a resource type this client asks for"]),
            };
        }
        catch (InvalidProtocolBufferException e)
        {
            return new DecodedResource(null, null, [$"not a valid {typeUrl}: {e.Message}"]);
        }
    }

    private static DecodedResource Listener(Listener listener)
    {
        var errors = new List<string>();
        var name = Named(listener.Name, errors);
        if (listener.ApiListener?.ApiListener_ is not { } packed)
        {
            errors.Add("api_listener: required; a proxyless client uses API listeners only");
            return new DecodedResource(name, null, errors);
        }

        if (packed.TypeUrl != HttpConnectionManagerType)
        {
            errors.Add($"api_listener.api_listener: {packed.TypeUrl} is not an HttpConnectionManager");
            return new DecodedResource(name, null, errors);
        }

        var manager = HttpConnectionManager.Parser.ParseFrom(packed.Value);
        string? routeName = null;
        RouteConfigResource? inline = null;
        switch (manager.RouteSpecifierCase)
        {
            case HttpConnectionManager.RouteSpecifierOneofCase.Rds:
                if (!IsAds(manager.Rds.ConfigSource))
                {
                    errors.Add("api_listener.rds.config_source: must be ads or self");
                }

                routeName = manager.Rds.RouteConfigName;
                if (routeName.Length == 0)
                {
                    errors.Add("api_listener.rds.route_config_name: required");
                }

                break;
            case HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig:
                var routes = Routes(manager.RouteConfig);
                errors.AddRange(routes.Errors.Select(e => $"api_listener.route_config.{e}"));
                inline = routes.Resource as RouteConfigResource;
                break;
            default:
                errors.Add("api_listener: neither rds nor route_config is set");
                break;
        }

        CheckFilters(manager, errors);
        return new DecodedResource(name, errors.Count == 0 ? new ListenerResource(name!, routeName, inline) : null, errors);
    }

    /// <summary>Filters must have unique names and known types (or be optional), and the router must come last.</summary>
    private static void CheckFilters(HttpConnectionManager manager, List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < manager.HttpFilters.Count; i++)
        {
            var filter = manager.HttpFilters[i];
            var path = $"api_listener.http_filters[{i}] ({filter.Name})";
            if (!names.Add(filter.Name))
            {
                errors.Add($"{path}: the name is used twice");
            }

            var type = filter.TypedConfig?.TypeUrl;
            if (type == RouterType)
            {
                if (i != manager.HttpFilters.Count - 1)
                {
                    errors.Add($"{path}: the router must be the last filter");
                }
            }
            else if (type != FaultType && !filter.IsOptional)
            {
                errors.Add($"{path}: {(type is null ? "no typed_config" : type + " is not a filter this client supports")}");
            }
        }

        if (manager.HttpFilters.Count == 0 || manager.HttpFilters[^1].TypedConfig?.TypeUrl != RouterType)
        {
            errors.Add("api_listener.http_filters: the last filter must be the router");
        }
    }

    private static DecodedResource Cluster(Cluster cluster)
    {
        var errors = new List<string>();
        var name = Named(cluster.Name, errors);
        if (cluster.ClusterDiscoveryTypeCase != Envoy.Config.Cluster.V3.Cluster.ClusterDiscoveryTypeOneofCase.Type
            || cluster.Type != Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Eds)
        {
            errors.Add($"type: {cluster.Type} is not supported; only EDS");
        }
        else if (!IsAds(cluster.EdsClusterConfig?.EdsConfig))
        {
            errors.Add("eds_cluster_config.eds_config: must be ads or self");
        }

        ClusterLbPolicy? policy = cluster.LbPolicy switch
        {
            Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.RoundRobin => ClusterLbPolicy.RoundRobin,
            Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.LeastRequest => ClusterLbPolicy.LeastRequest,
            Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.Random => ClusterLbPolicy.Random,
            _ => null,
        };
        if (policy is null)
        {
            errors.Add($"lb_policy: {cluster.LbPolicy} is not supported; ROUND_ROBIN, LEAST_REQUEST or RANDOM");
        }

        var service = cluster.EdsClusterConfig?.ServiceName is { Length: > 0 } s ? s : name;
        return new DecodedResource(name, errors.Count == 0 ? new ClusterResource(name!, service!, policy!.Value) : null, errors);
    }

    /// <summary>
    /// The endpoints of the lowest priority among localities that have a weight (gRPC skips a locality without one);
    /// endpoints whose health is neither UNKNOWN nor HEALTHY are left out.
    /// </summary>
    private static DecodedResource Endpoints(ClusterLoadAssignment assignment)
    {
        var errors = new List<string>();
        var name = Named(assignment.ClusterName, errors);
        var weighted = assignment.Endpoints.Select((locality, index) => (Locality: locality, Index: index)).Where(l => (l.Locality.LoadBalancingWeight ?? 0) > 0).ToList();
        var priority = weighted.Count == 0 ? 0 : weighted.Min(l => l.Locality.Priority);
        var endpoints = new List<EndpointAddress>();
        var seen = new HashSet<EndpointAddress>();
        foreach (var (locality, i) in weighted.Where(l => l.Locality.Priority == priority))
        {
            for (var j = 0; j < locality.LbEndpoints.Count; j++)
            {
                var path = $"endpoints[{i}].lb_endpoints[{j}]";
                var endpoint = locality.LbEndpoints[j];
                if (endpoint.Endpoint?.Address?.SocketAddress is not { } socket
                    || socket.Address.Length == 0 || socket.PortSpecifierCase != SocketAddress.PortSpecifierOneofCase.PortValue)
                {
                    errors.Add($"{path}.endpoint.address: a socket_address with an address and a port_value is required");
                    continue;
                }

                if (socket.PortValue is 0 or > 65535)
                {
                    errors.Add($"{path}.endpoint.address.socket_address.port_value: {socket.PortValue} is not a port");
                    continue;
                }

                var address = new EndpointAddress(socket.Address, (int)socket.PortValue);
                if (!seen.Add(address))
                {
                    errors.Add($"{path}: {address} is listed twice");
                }
                else if (endpoint.HealthStatus is HealthStatus.Unknown or HealthStatus.Healthy)
                {
                    endpoints.Add(address);
                }
            }
        }

        return new DecodedResource(name, errors.Count == 0 ? new EndpointsResource(name!, endpoints) : null, errors);
    }

    private static bool IsAds(ConfigSource? source) =>
        source?.ConfigSourceSpecifierCase is ConfigSource.ConfigSourceSpecifierOneofCase.Ads or ConfigSource.ConfigSourceSpecifierOneofCase.Self;

    private static string? Named(string name, List<string> errors)
    {
        if (name.Length > 0)
        {
            return name;
        }

        errors.Add("name: required");
        return null;
    }

    private static DecodedResource Routes(RouteConfiguration config)
    {
        var errors = new List<string>();
        var name = Named(config.Name, errors);
        var hosts = new List<VirtualHostRoutes>();
        for (var i = 0; i < config.VirtualHosts.Count; i++)
        {
            var host = config.VirtualHosts[i];
            var path = $"virtual_hosts[{i}] ({host.Name})";
            if (host.Domains.Count == 0)
            {
                errors.Add($"{path}.domains: at least one is required");
            }

            var routes = new List<RouteRule>();
            for (var j = 0; j < host.Routes.Count; j++)
            {
                if (Route(host.Routes[j], $"{path}.routes[{j}]", errors) is { } route)
                {
                    routes.Add(route);
                }
            }

            hosts.Add(new VirtualHostRoutes(host.Name, [.. host.Domains], routes));
        }

        return new DecodedResource(name, errors.Count == 0 ? new RouteConfigResource(name!, hosts) : null, errors);
    }

    /// <summary>A route, or null for one that is left out: a RouteAction whose cluster comes from somewhere we do not read (a header, a plugin), as gRPC does.</summary>
    private static RouteRule? Route(Route route, string path, List<string> errors)
    {
        var before = errors.Count;
        path = route.Name.Length > 0 ? $"{path} ({route.Name})" : path;
        var match = route.Match;
        if (match is null)
        {
            errors.Add($"{path}.match: required");
            return null;
        }

        var caseSensitive = match.CaseSensitive ?? true;
        var matcher = match.PathSpecifierCase switch
        {
            RouteMatch.PathSpecifierOneofCase.Prefix => new PathMatcher(PathMatchKind.Prefix, match.Prefix, caseSensitive),
            RouteMatch.PathSpecifierOneofCase.Path => new PathMatcher(PathMatchKind.Exact, match.Path, caseSensitive),
            RouteMatch.PathSpecifierOneofCase.SafeRegex when Compile(match.SafeRegex.Regex, !caseSensitive, $"{path}.match.safe_regex", errors) is { } regex =>
                new PathMatcher(PathMatchKind.Regex, match.SafeRegex.Regex, caseSensitive, regex),
            RouteMatch.PathSpecifierOneofCase.SafeRegex => null,
            _ => Invalid<PathMatcher>(errors, $"{path}.match: a prefix, path or safe_regex is required"),
        };

        var headers = match.Headers.Select((h, k) => Header(h, $"{path}.match.headers[{k}]", errors)).ToList();
        uint? fraction = match.RuntimeFraction?.DefaultValue is { } percent ? PerMillion(percent) : null;

        IReadOnlyList<RouteCluster> clusters = [];
        if (route.ActionCase == Envoy.Config.Route.V3.Route.ActionOneofCase.Route_)
        {
            var action = route.Route_;
            switch (action.ClusterSpecifierCase)
            {
                case RouteAction.ClusterSpecifierOneofCase.Cluster:
                    clusters = [new RouteCluster(action.Cluster, 1)];
                    break;
                case RouteAction.ClusterSpecifierOneofCase.WeightedClusters:
                    clusters = Weighted(action.WeightedClusters, $"{path}.route.weighted_clusters", errors);
                    break;
                default:
                    return null;
            }

            if (clusters.Any(c => c.Name.Length == 0))
            {
                errors.Add($"{path}.route: a cluster name is empty");
            }
        }

        return errors.Count == before ? new RouteRule(route.Name, matcher!, headers!, clusters, fraction) : null;
    }

    private static List<RouteCluster> Weighted(WeightedCluster weighted, string path, List<string> errors)
    {
        var clusters = weighted.Clusters.Select(c => new RouteCluster(c.Name, c.Weight ?? 0)).ToList();
        var total = clusters.Aggregate(0UL, (sum, c) => sum + c.Weight);
        if (total is 0 or > uint.MaxValue)
        {
            errors.Add($"{path}: the weights must add up to more than 0 and at most {uint.MaxValue}, not {total}");
        }

        return clusters;
    }

    private static HeaderRule? Header(HeaderMatcher header, string path, List<string> errors)
    {
        path = $"{path} ({header.Name})";
        var name = header.Name.ToLowerInvariant();
        var invert = header.InvertMatch;
        return header.HeaderMatchSpecifierCase switch
        {
            HeaderMatcher.HeaderMatchSpecifierOneofCase.ExactMatch => new HeaderRule(name, HeaderMatchKind.Exact, header.ExactMatch, Invert: invert),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.PrefixMatch => new HeaderRule(name, HeaderMatchKind.Prefix, header.PrefixMatch, Invert: invert),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.SuffixMatch => new HeaderRule(name, HeaderMatchKind.Suffix, header.SuffixMatch, Invert: invert),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.ContainsMatch => new HeaderRule(name, HeaderMatchKind.Contains, header.ContainsMatch, Invert: invert),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.SafeRegexMatch => RegexRule(name, header.SafeRegexMatch.Regex, false, invert, $"{path}.safe_regex_match", errors),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.RangeMatch when header.RangeMatch.Start < header.RangeMatch.End =>
                new HeaderRule(name, HeaderMatchKind.Range, Invert: invert) { RangeStart = header.RangeMatch.Start, RangeEnd = header.RangeMatch.End },
            HeaderMatcher.HeaderMatchSpecifierOneofCase.RangeMatch => Invalid<HeaderRule>(errors, $"{path}.range_match: {Range(header.RangeMatch)} is empty"),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.StringMatch => StringRule(name, header.StringMatch, invert, $"{path}.string_match", errors),

            // With no specifier, Envoy matches on the header being there.
            HeaderMatcher.HeaderMatchSpecifierOneofCase.PresentMatch or HeaderMatcher.HeaderMatchSpecifierOneofCase.None =>
                new HeaderRule(name, HeaderMatchKind.Present, Invert: invert) { MustBePresent = header.HeaderMatchSpecifierCase == HeaderMatcher.HeaderMatchSpecifierOneofCase.None || header.PresentMatch },
            _ => Invalid<HeaderRule>(errors, $"{path}: a matcher this client does not support"),
        };
    }

    private static HeaderRule? StringRule(string name, StringMatcher match, bool invert, string path, List<string> errors) => match.MatchPatternCase switch
    {
        StringMatcher.MatchPatternOneofCase.Exact => new HeaderRule(name, HeaderMatchKind.Exact, match.Exact, match.IgnoreCase, invert),
        StringMatcher.MatchPatternOneofCase.Prefix => new HeaderRule(name, HeaderMatchKind.Prefix, match.Prefix, match.IgnoreCase, invert),
        StringMatcher.MatchPatternOneofCase.Suffix => new HeaderRule(name, HeaderMatchKind.Suffix, match.Suffix, match.IgnoreCase, invert),
        StringMatcher.MatchPatternOneofCase.Contains => new HeaderRule(name, HeaderMatchKind.Contains, match.Contains, match.IgnoreCase, invert),

        // Envoy: ignore_case has no effect on a regular expression.
        StringMatcher.MatchPatternOneofCase.SafeRegex => RegexRule(name, match.SafeRegex.Regex, false, invert, $"{path}.safe_regex", errors),
        _ => Invalid<HeaderRule>(errors, $"{path}: exact, prefix, suffix, contains or safe_regex is required"),
    };

    private static HeaderRule? RegexRule(string name, string pattern, bool ignoreCase, bool invert, string path, List<string> errors) =>
        Compile(pattern, ignoreCase, path, errors) is { } regex ? new HeaderRule(name, HeaderMatchKind.Regex, pattern, ignoreCase, invert) { Pattern = regex } : null;

    /// <summary>
    /// A regular expression over the whole value, run in linear time like RE2 (Envoy's and gRPC's engine): a pattern
    /// that needs backtracking (lookaround, backreferences, atomic groups, conditionals) is not one a client can run.
    /// </summary>
    internal static Regex? Compile(string pattern, bool ignoreCase, string path, List<string> errors)
    {
        var options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        try
        {
            // Compiled alone first, so that a pattern like "a)|(b" cannot escape the anchors added around it.
            _ = new Regex(pattern, options);
            return new Regex($@"\A(?:{pattern})\z", options);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            errors.Add($"{path}: \"{pattern}\" is not a regular expression this client can run: {e.Message}");
            return null;
        }
    }

    private static uint PerMillion(FractionalPercent percent)
    {
        var scale = percent.Denominator switch
        {
            FractionalPercent.Types.DenominatorType.Hundred => 10_000UL,
            FractionalPercent.Types.DenominatorType.TenThousand => 100UL,
            _ => 1UL,
        };
        return (uint)Math.Min(RouteRule.Million, percent.Numerator * scale);
    }

    private static string Range(Int64Range range) => $"[{range.Start}, {range.End})";

    private static T? Invalid<T>(List<string> errors, string error)
        where T : class
    {
        errors.Add(error);
        return null;
    }
}
