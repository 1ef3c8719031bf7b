using System.Text.Json.Nodes;
using LightMesh.Core.Networking;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Reads and writes the <c>spec</c> of a DestinationRule, including traffic policies.</summary>
internal static class DestinationRuleCodec
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);

    public static DestinationRuleSpec? ReadSpec(ReadContext context, JsonObject spec)
    {
        var host = context.String(spec, "spec", "host", required: true);
        if (host is not null && Names.CheckDns1123Subdomain(host) is { } problem)
        {
            context.Error("spec.host", problem);
        }

        var policy = ReadPolicy(context, spec, "spec");
        var subsets = context.List(spec, "spec", "subsets", (node, path) => ReadSubset(context, node, path));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < subsets.Count; i++)
        {
            if (!seen.Add(subsets[i].Name))
            {
                context.Error($"spec.subsets[{i}].name", $"subset \"{subsets[i].Name}\" is defined more than once");
            }
        }

        return host is null ? null : new DestinationRuleSpec { Host = host, TrafficPolicy = policy, Subsets = subsets };
    }

    private static Subset? ReadSubset(ReadContext context, JsonNode? node, string path)
    {
        var obj = context.Object(node, path, "name", "labels", "trafficPolicy");
        if (obj is null)
        {
            return null;
        }

        var name = context.String(obj, path, "name", required: true);
        if (name is not null && Names.CheckDns1123Label(name) is { } problem)
        {
            context.Error(ReadContext.Field(path, "name"), problem);
            name = null;
        }

        var labels = context.StringMap(obj, path, "labels", Names.CheckLabelKey, Names.CheckLabelValue);
        var policy = ReadPolicy(context, obj, path);
        return name is null ? null : new Subset { Name = name, Labels = labels ?? new Dictionary<string, string>(), TrafficPolicy = policy };
    }

    private static TrafficPolicy? ReadPolicy(ReadContext context, JsonObject parent, string parentPath)
    {
        var obj = context.OptionalObject(parent, parentPath, "trafficPolicy", "loadBalancer", "connectionPool", "outlierDetection");
        if (obj is null)
        {
            return null;
        }

        var path = ReadContext.Field(parentPath, "trafficPolicy");
        LoadBalancerKind? loadBalancer = null;
        if (context.OptionalObject(obj, path, "loadBalancer", "simple") is { } lb)
        {
            var lbPath = ReadContext.Field(path, "loadBalancer");
            var simple = context.String(lb, lbPath, "simple", required: true);
            if (simple is not null && LoadBalancerNames.ByName.TryGetValue(simple, out var kind))
            {
                loadBalancer = kind;
            }
            else if (simple is not null)
            {
                context.Error(ReadContext.Field(lbPath, "simple"), $"\"{simple}\" is not supported (use one of {string.Join(", ", LoadBalancerNames.ByName.Keys)})");
            }
        }

        return new TrafficPolicy
        {
            LoadBalancer = loadBalancer,
            ConnectionPool = ReadConnectionPool(context, obj, path),
            OutlierDetection = ReadOutlierDetection(context, obj, path),
        };
    }

    private static ConnectionPoolSettings? ReadConnectionPool(ReadContext context, JsonObject policy, string policyPath)
    {
        var obj = context.OptionalObject(policy, policyPath, "connectionPool", "tcp", "http");
        if (obj is null)
        {
            return null;
        }

        var path = ReadContext.Field(policyPath, "connectionPool");
        var tcp = context.OptionalObject(obj, path, "tcp", "maxConnections", "connectTimeout");
        var http = context.OptionalObject(obj, path, "http", "http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection", "maxRetries", "idleTimeout");
        var tcpPath = ReadContext.Field(path, "tcp");
        var httpPath = ReadContext.Field(path, "http");
        return new ConnectionPoolSettings
        {
            MaxConnections = tcp is null ? null : context.Int(tcp, tcpPath, "maxConnections", 1, int.MaxValue),
            ConnectTimeout = tcp is null ? null : context.Duration(tcp, tcpPath, "connectTimeout", OneMillisecond),
            Http1MaxPendingRequests = http is null ? null : context.Int(http, httpPath, "http1MaxPendingRequests", 1, int.MaxValue),
            Http2MaxRequests = http is null ? null : context.Int(http, httpPath, "http2MaxRequests", 1, int.MaxValue),
            MaxRequestsPerConnection = http is null ? null : context.Int(http, httpPath, "maxRequestsPerConnection", 0, int.MaxValue),
            MaxRetries = http is null ? null : context.Int(http, httpPath, "maxRetries", 0, int.MaxValue),
            IdleTimeout = http is null ? null : context.Duration(http, httpPath, "idleTimeout", OneMillisecond),
        };
    }

    private static OutlierDetection? ReadOutlierDetection(ReadContext context, JsonObject policy, string policyPath)
    {
        var obj = context.OptionalObject(policy, policyPath, "outlierDetection",
            "consecutive5xxErrors", "consecutiveGatewayErrors", "interval", "baseEjectionTime", "maxEjectionPercent", "minHealthPercent");
        if (obj is null)
        {
            return null;
        }

        var path = ReadContext.Field(policyPath, "outlierDetection");
        return new OutlierDetection
        {
            Consecutive5xxErrors = context.Int(obj, path, "consecutive5xxErrors", 0, int.MaxValue),
            ConsecutiveGatewayErrors = context.Int(obj, path, "consecutiveGatewayErrors", 0, int.MaxValue),
            Interval = context.Duration(obj, path, "interval", OneMillisecond),
            BaseEjectionTime = context.Duration(obj, path, "baseEjectionTime", OneMillisecond),
            MaxEjectionPercent = context.Int(obj, path, "maxEjectionPercent", 0, 100),
            MinHealthPercent = context.Int(obj, path, "minHealthPercent", 0, 100),
        };
    }

    public static JsonObject WriteSpec(DestinationRuleSpec spec) => new JsonObject()
        .Set("host", spec.Host)
        .Set("trafficPolicy", spec.TrafficPolicy is null ? null : WritePolicy(spec.TrafficPolicy))
        .Set("subsets", spec.Subsets, s => new JsonObject()
            .Set("name", s.Name)
            .Set("labels", s.Labels.Count == 0 ? null : s.Labels)
            .Set("trafficPolicy", s.TrafficPolicy is null ? null : WritePolicy(s.TrafficPolicy)));

    private static JsonObject WritePolicy(TrafficPolicy policy)
    {
        var pool = policy.ConnectionPool;
        var tcp = pool is null ? null : new JsonObject().Set("maxConnections", pool.MaxConnections).Set("connectTimeout", pool.ConnectTimeout?.Text);
        var http = pool is null ? null : new JsonObject()
            .Set("http1MaxPendingRequests", pool.Http1MaxPendingRequests).Set("http2MaxRequests", pool.Http2MaxRequests)
            .Set("maxRequestsPerConnection", pool.MaxRequestsPerConnection).Set("maxRetries", pool.MaxRetries)
            .Set("idleTimeout", pool.IdleTimeout?.Text);
        var outlier = policy.OutlierDetection;
        return new JsonObject()
            .Set("loadBalancer", policy.LoadBalancer is not { } lb ? null : new JsonObject().Set("simple", LoadBalancerNames.Of(lb)))
            .Set("connectionPool", pool is null ? null : new JsonObject()
                .Set("tcp", tcp!.Count == 0 ? null : tcp)
                .Set("http", http!.Count == 0 ? null : http))
            .Set("outlierDetection", outlier is null ? null : new JsonObject()
                .Set("consecutive5xxErrors", outlier.Consecutive5xxErrors).Set("consecutiveGatewayErrors", outlier.ConsecutiveGatewayErrors)
                .Set("interval", outlier.Interval?.Text).Set("baseEjectionTime", outlier.BaseEjectionTime?.Text)
                .Set("maxEjectionPercent", outlier.MaxEjectionPercent).Set("minHealthPercent", outlier.MinHealthPercent));
    }
}
