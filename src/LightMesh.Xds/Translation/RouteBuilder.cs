using Envoy.Config.Core.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Envoy.Type.Matcher.V3;
using Envoy.Type.V3;
using Google.Protobuf.WellKnownTypes;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using FaultDelay = Envoy.Extensions.Filters.Common.Fault.V3.FaultDelay;
using IstioStringMatch = LightMesh.Core.Networking.StringMatch;
using ProtoDuration = Google.Protobuf.WellKnownTypes.Duration;

namespace LightMesh.Xds.Translation;

/// <summary>A service's virtual host, the clusters its routes send traffic to, and its preview's virtual host while a release has one.</summary>
internal sealed record BuiltVirtualHost(VirtualHost Host, IReadOnlySet<string> TrafficClusters, VirtualHost? Preview = null);

/// <summary>Builds a service's virtual host from its VirtualService's <c>http</c> rules, in order.</summary>
internal static class RouteBuilder
{
    public static BuiltVirtualHost Build(MeshService service, VirtualService? vs, IReadOnlyDictionary<string, MeshService> services)
    {
        var port = service.Spec.Port;
        var host = new VirtualHost { Name = $"{service.Name}:{port}", Domains = { service.Name, $"{service.Name}:{port}" } };
        var clusters = new HashSet<string>(StringComparer.Ordinal);
        if (vs is null)
        {
            var whole = ClusterNames.Outbound(port, null, service.Name);
            host.Routes.Add(new Route { Name = "default", Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = whole, Timeout = new ProtoDuration() } });
            clusters.Add(whole);
            return new BuiltVirtualHost(host, clusters);
        }

        for (var i = 0; i < vs.Spec.Http.Count; i++)
        {
            var http = vs.Spec.Http[i];
            var action = Action(http, services, clusters);
            var matches = http.Match.Count == 0 ? [new RouteMatch { Prefix = "/" }] : http.Match.Select(Match).ToList();
            for (var m = 0; m < matches.Count; m++)
            {
                var route = new Route
                {
                    Name = (http.Name ?? $"route-{i}") + (matches.Count > 1 ? $"-{m}" : ""),
                    Match = matches[m],
                    Route_ = action.Clone(),
                };
                if (http.Fault is not null)
                {
                    route.TypedPerFilterConfig[FilterNames.Fault] = Any.Pack(Fault(http.Fault));
                }

                host.Routes.Add(route);
            }
        }

        return new BuiltVirtualHost(host, clusters, Preview(service, vs, services));
    }

    /// <summary>
    /// The virtual host of <see cref="ReleaseStrategies.PreviewHost"/>, while the routes hold a preview route and no Service
    /// has that name: every request takes the preview route's destination.
    /// </summary>
    private static VirtualHost? Preview(MeshService service, VirtualService vs, IReadOnlyDictionary<string, MeshService> services)
    {
        var name = ReleaseStrategies.PreviewHost(service.Name);
        if (ReleaseStrategies.PreviewRouteOf(vs) is not { } preview || services.ContainsKey(name))
        {
            return null;
        }

        var port = service.Spec.Port;
        var host = new VirtualHost { Name = $"{name}:{port}", Domains = { name, $"{name}:{port}" } };
        host.Routes.Add(new Route { Name = ReleaseStrategies.PreviewRoute, Match = new RouteMatch { Prefix = "/" }, Route_ = Action(preview, services, []) });
        return host;
    }

    /// <summary>
    /// The cluster of a destination. A host that is no Service (only a value written to etcd by hand can route to one) has
    /// no port to take: its cluster, on port 0, has no endpoints, so routes newly sending traffic there are held back.
    /// </summary>
    private static string Cluster(Destination destination, IReadOnlyDictionary<string, MeshService> services) =>
        ClusterNames.Outbound(destination.Port ?? services.GetValueOrDefault(destination.Host)?.Spec.Port ?? 0, destination.Subset, destination.Host);

    private static RouteAction Action(HttpRoute http, IReadOnlyDictionary<string, MeshService> services, HashSet<string> trafficClusters)
    {
        var action = new RouteAction();
        var weighted = http.Route
            .Select(d => (Cluster: Cluster(d.Destination, services), Weight: d.Weight ?? (http.Route.Count == 1 ? 100 : 0), d.Headers))
            .Where(d => d.Weight > 0)
            .ToList();

        // Headers belong to a destination, so a route whose destination changes headers keeps the weighted form even with one.
        if (weighted.Count == 1 && weighted[0].Headers is null)
        {
            action.Cluster = weighted[0].Cluster;
        }
        else
        {
            action.WeightedClusters = new WeightedCluster();
            action.WeightedClusters.Clusters.AddRange(weighted.Select(w => ClusterWeight(w.Cluster, w.Weight, w.Headers)));
        }

        trafficClusters.UnionWith(weighted.Select(w => w.Cluster));

        // Istio's default is no timeout; Envoy's would be 15 s. gRPC clients read max_stream_duration instead.
        var timeout = http.Timeout?.Value ?? TimeSpan.Zero;
        action.Timeout = ProtoDuration.FromTimeSpan(timeout);
        if (timeout > TimeSpan.Zero)
        {
            action.MaxStreamDuration = new RouteAction.Types.MaxStreamDuration { MaxStreamDuration_ = ProtoDuration.FromTimeSpan(timeout) };
        }

        if (http.Retries is { Attempts: > 0 } retries)
        {
            action.RetryPolicy = new RetryPolicy
            {
                RetryOn = retries.RetryOn ?? "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes",
                NumRetries = (uint)retries.Attempts,
                PerTryTimeout = retries.PerTryTimeout is { } perTry ? ProtoDuration.FromTimeSpan(perTry.Value) : null,
            };
        }

        if (http.Mirror is not null)
        {
            var mirror = Cluster(http.Mirror, services);
            action.RequestMirrorPolicies.Add(new RouteAction.Types.RequestMirrorPolicy
            {
                Cluster = mirror,
                RuntimeFraction = new RuntimeFractionalPercent { DefaultValue = Fraction(http.MirrorPercentage ?? 100) },
            });
            trafficClusters.Add(mirror);
        }

        return action;
    }

    private static WeightedCluster.Types.ClusterWeight ClusterWeight(string cluster, int weight, Headers? headers)
    {
        var clusterWeight = new WeightedCluster.Types.ClusterWeight { Name = cluster, Weight = (uint)weight };
        if (headers?.Request is { } request)
        {
            clusterWeight.RequestHeadersToAdd.AddRange(HeadersToAdd(request));
            clusterWeight.RequestHeadersToRemove.AddRange(request.Remove);
        }

        if (headers?.Response is { } response)
        {
            clusterWeight.ResponseHeadersToAdd.AddRange(HeadersToAdd(response));
            clusterWeight.ResponseHeadersToRemove.AddRange(response.Remove);
        }

        return clusterWeight;
    }

    /// <summary>Istio's <c>set</c> overwrites a header or adds it; its <c>add</c> adds a value beside those already there.</summary>
    private static IEnumerable<HeaderValueOption> HeadersToAdd(HeaderOperations operations) =>
        operations.Set.Select(h => Header(h.Key, h.Value, HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd))
            .Concat(operations.Add.Select(h => Header(h.Key, h.Value, HeaderValueOption.Types.HeaderAppendAction.AppendIfExistsOrAdd)));

    private static HeaderValueOption Header(string name, string value, HeaderValueOption.Types.HeaderAppendAction action) =>
        new() { Header = new HeaderValue { Key = name, Value = value }, AppendAction = action };

    private static RouteMatch Match(HttpMatchRequest match)
    {
        var route = new RouteMatch();
        switch (match.Uri)
        {
            case { Kind: StringMatchKind.Exact } exact:
                route.Path = exact.Value;
                break;
            case { Kind: StringMatchKind.Regex } regex:
                route.SafeRegex = new RegexMatcher { Regex = regex.Value };
                break;
            case { Kind: StringMatchKind.Prefix } prefix:
                route.Prefix = prefix.Value;
                break;
            default:
                route.Prefix = "/";
                break;
        }

        if (match.IgnoreUriCase == true)
        {
            route.CaseSensitive = false;
        }

        foreach (var (name, value) in match.Headers)
        {
            route.Headers.Add(new HeaderMatcher { Name = name, StringMatch = StringMatcher(value) });
        }

        return route;
    }

    private static StringMatcher StringMatcher(IstioStringMatch match) => match.Kind switch
    {
        StringMatchKind.Exact => new StringMatcher { Exact = match.Value },
        StringMatchKind.Prefix => new StringMatcher { Prefix = match.Value },
        _ => new StringMatcher { SafeRegex = new RegexMatcher { Regex = match.Value } },
    };

    private static HTTPFault Fault(HttpFaultInjection fault)
    {
        var config = new HTTPFault();
        if (fault.Delay is { } delay)
        {
            config.Delay = new FaultDelay { FixedDelay = ProtoDuration.FromTimeSpan(delay.FixedDelay.Value), Percentage = Fraction(delay.Percentage ?? 100) };
        }

        if (fault.Abort is { } abort)
        {
            config.Abort = new Envoy.Extensions.Filters.Http.Fault.V3.FaultAbort { HttpStatus = (uint)abort.HttpStatus, Percentage = Fraction(abort.Percentage ?? 100) };
        }

        return config;
    }

    /// <summary>Istio's percent (0..100, fractional) as Envoy's fraction per million.</summary>
    internal static FractionalPercent Fraction(double percent) =>
        new() { Numerator = (uint)Math.Round(percent * 10_000), Denominator = FractionalPercent.Types.DenominatorType.Million };
}
