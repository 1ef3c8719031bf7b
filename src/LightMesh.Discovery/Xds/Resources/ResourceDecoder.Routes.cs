using System.Text.RegularExpressions;
using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;
using Envoy.Type.V3;
using LightMesh.Discovery.Xds.Routing;

namespace LightMesh.Discovery.Xds.Resources;

internal static partial class ResourceDecoder
{
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
