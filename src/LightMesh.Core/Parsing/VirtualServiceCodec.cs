using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LightMesh.Core.Networking;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Reads and writes the <c>spec</c> of a VirtualService, with Istio's field names and rules for our subset.</summary>
internal static class VirtualServiceCodec
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);
    private static readonly string[] MatchKinds = ["exact", "prefix", "regex"];

    public static VirtualServiceSpec? ReadSpec(ReadContext context, JsonObject spec)
    {
        var hosts = context.StringList(spec, "spec", "hosts", CheckHost, required: true);
        var listedAt = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < hosts.Count; i++)
        {
            // A host has one set of routes: listed twice, it would have two.
            if (!listedAt.TryAdd(hosts[i], i))
            {
                context.Error($"spec.hosts[{i}]", $"host \"{hosts[i]}\" is listed more than once (also spec.hosts[{listedAt[hosts[i]]}])");
            }
        }

        var http = context.List(spec, "spec", "http", (node, path) => ReadRoute(context, node, path), required: true);
        return new VirtualServiceSpec { Hosts = hosts, Http = http };
    }

    private static string? CheckHost(string host) =>
        host == "*" || host.StartsWith("*.", StringComparison.Ordinal)
            ? $"wildcard host \"{host}\" is not supported; name a service"
            : Names.CheckDns1123Subdomain(host);

    private static HttpRoute? ReadRoute(ReadContext context, JsonNode? node, string path)
    {
        var obj = context.Object(node, path, "name", "match", "route", "timeout", "retries", "fault", "mirror", "mirrorPercentage");
        if (obj is null)
        {
            return null;
        }

        var name = context.String(obj, path, "name");
        var match = context.List(obj, path, "match", (n, p) => ReadMatch(context, n, p));
        var route = context.List(obj, path, "route", (n, p) => ReadRouteDestination(context, n, p), required: true);
        CheckWeights(context, route, path);
        var timeout = context.Duration(obj, path, "timeout", OneMillisecond);
        var retries = ReadRetries(context, obj, path);
        var fault = ReadFault(context, obj, path);
        var mirrorObj = context.OptionalObject(obj, path, "mirror", "host", "subset", "port");
        var mirror = mirrorObj is null ? null : ReadDestination(context, mirrorObj, ReadContext.Field(path, "mirror"));
        var mirrorPercentage = context.Percent(obj, path, "mirrorPercentage");
        if (mirrorPercentage is not null && mirrorObj is null)
        {
            context.Error(ReadContext.Field(path, "mirrorPercentage"), "is set but no mirror is");
        }

        return new HttpRoute
        {
            Name = name, Match = match, Route = route, Timeout = timeout, Retries = retries,
            Fault = fault, Mirror = mirror, MirrorPercentage = mirrorPercentage,
        };
    }

    private static void CheckWeights(ReadContext context, IReadOnlyList<HttpRouteDestination> route, string path)
    {
        // Istio: weights are relative, a missing weight counts as 0, and several destinations need a total above 0.
        if (route.Count > 1 && route.Sum(d => (long)(d.Weight ?? 0)) == 0)
        {
            context.Error(ReadContext.Field(path, "route"), "the weights of several destinations must add up to more than 0");
        }
    }

    internal static HttpMatchRequest? ReadMatch(ReadContext context, JsonNode? node, string path)
    {
        var obj = context.Object(node, path, "name", "uri", "headers", "ignoreUriCase");
        if (obj is null)
        {
            return null;
        }

        var uri = ReadContext.Present(obj, "uri") ? ReadStringMatch(context, obj["uri"], ReadContext.Field(path, "uri")) : null;
        if (uri is { Kind: not StringMatchKind.Regex } && !uri.Value.StartsWith('/'))
        {
            context.Error(ReadContext.Field(path, "uri"), $"\"{uri.Value}\" must start with '/'");
        }

        var headers = new SortedDictionary<string, StringMatch>(StringComparer.Ordinal);
        var headersObj = context.OptionalMap(obj, path, "headers");
        foreach (var (header, value) in headersObj ?? [])
        {
            var at = ReadContext.Field(ReadContext.Field(path, "headers"), header);
            if (!string.Equals(header, header.ToLowerInvariant(), StringComparison.Ordinal))
            {
                context.Error(at, "header names must be lower case");
            }
            else if (header.StartsWith(':') || header.Length == 0)
            {
                context.Error(at, "pseudo-headers cannot be matched; use uri");
            }
            else if (ReadStringMatch(context, value, at) is { } match)
            {
                headers[header] = match;
            }
        }

        var name = context.String(obj, path, "name");
        var ignoreUriCase = context.Bool(obj, path, "ignoreUriCase");
        if (uri is null && headers.Count == 0 && !ReadContext.Present(obj, "headers"))
        {
            context.Error(path, "must set uri or headers");
        }

        return new HttpMatchRequest { Name = name, Uri = uri, Headers = headers, IgnoreUriCase = ignoreUriCase };
    }

    internal static StringMatch? ReadStringMatch(ReadContext context, JsonNode? node, string path)
    {
        var obj = context.Object(node, path, "exact", "prefix", "regex");
        if (obj is null)
        {
            return null;
        }

        var set = MatchKinds.Where(f => ReadContext.Present(obj, f)).ToList();
        if (set.Count != 1)
        {
            context.Error(path, set.Count == 0 ? "must set one of exact, prefix or regex" : $"must set only one of exact, prefix or regex, not {string.Join(" and ", set)}");
            return null;
        }

        var kind = set[0] switch { "exact" => StringMatchKind.Exact, "prefix" => StringMatchKind.Prefix, _ => StringMatchKind.Regex };
        var value = context.String(obj, path, set[0]);
        if (value is null)
        {
            return null;
        }

        if (kind == StringMatchKind.Regex && CheckRegex(value) is { } problem)
        {
            context.Error(ReadContext.Field(path, "regex"), problem);
            return null;
        }

        if (kind != StringMatchKind.Regex && value.Length == 0)
        {
            context.Error(ReadContext.Field(path, set[0]), "must not be empty");
            return null;
        }

        return new StringMatch(kind, value);
    }

    private static string? CheckRegex(string pattern)
    {
        if (pattern.Length == 0)
        {
            return "must not be empty";
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            return $"\"{pattern}\" is not a valid regular expression: {e.Message}";
        }

        // Envoy uses RE2: no backreferences or lookaround.
        return pattern.Contains("(?=", StringComparison.Ordinal) || pattern.Contains("(?!", StringComparison.Ordinal)
               || pattern.Contains("(?<", StringComparison.Ordinal) || Regex.IsMatch(pattern, @"\\[1-9]")
            ? $"\"{pattern}\" uses lookaround or backreferences, which RE2 does not support"
            : null;
    }

    private static HttpRouteDestination? ReadRouteDestination(ReadContext context, JsonNode? node, string path)
    {
        var obj = context.Object(node, path, "destination", "weight", "headers");
        if (obj is null)
        {
            return null;
        }

        var destinationObj = context.OptionalObject(obj, path, "destination", "host", "subset", "port");
        if (destinationObj is null && !ReadContext.Present(obj, "destination"))
        {
            context.Error(ReadContext.Field(path, "destination"), "is required");
        }

        var destination = destinationObj is null ? null : ReadDestination(context, destinationObj, ReadContext.Field(path, "destination"));
        var weight = context.Int(obj, path, "weight", 0, int.MaxValue);
        var headers = ReadHeaders(context, obj, path);
        return destination is null ? null : new HttpRouteDestination { Destination = destination, Weight = weight, Headers = headers };
    }

    /// <summary>A destination's <c>headers: {request, response}</c>, each of <c>set</c>, <c>add</c> and <c>remove</c>.</summary>
    private static Headers? ReadHeaders(ReadContext context, JsonObject destination, string path)
    {
        var obj = context.OptionalObject(destination, path, "headers", "request", "response");
        if (obj is null)
        {
            return null;
        }

        var at = ReadContext.Field(path, "headers");
        return new Headers { Request = ReadHeaderOperations(context, obj, at, "request"), Response = ReadHeaderOperations(context, obj, at, "response") };
    }

    private static HeaderOperations? ReadHeaderOperations(ReadContext context, JsonObject headers, string path, string field)
    {
        var obj = context.OptionalObject(headers, path, field, "set", "add", "remove");
        if (obj is null)
        {
            return null;
        }

        var at = ReadContext.Field(path, field);
        var empty = new SortedDictionary<string, string>(StringComparer.Ordinal);
        return new HeaderOperations
        {
            Set = context.StringMap(obj, at, "set", CheckHeaderName, CheckHeaderValue) ?? empty,
            Add = context.StringMap(obj, at, "add", CheckHeaderName, CheckHeaderValue) ?? empty,
            Remove = context.StringList(obj, at, "remove", CheckHeaderName),
        };
    }

    /// <summary>A header a route may change: a lower-case HTTP token, neither a pseudo-header nor <c>host</c> (Envoy refuses both).</summary>
    internal static string? CheckHeaderName(string name) =>
        name.Length == 0 ? "a header name must not be empty"
        : name.StartsWith(':') || name == "host" ? $"\"{name}\" cannot be changed by a route"
        : name.Any(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '^' or '`' or '|' or '~'))
            ? $"\"{name}\" must be a lower-case header name (letters, digits and -_.!#$%&'*+^`|~)"
            : null;

    private static string? CheckHeaderValue(string value) =>
        value.Any(c => c is '\r' or '\n' or '\0') ? "a header value must not hold a line break or NUL" : null;

    private static Destination? ReadDestination(ReadContext context, JsonObject obj, string path)
    {
        var before = context.ErrorCount;
        var host = context.String(obj, path, "host", required: true);
        if (host is not null && CheckHost(host) is { } hostProblem)
        {
            context.Error(ReadContext.Field(path, "host"), hostProblem);
        }

        var subset = context.String(obj, path, "subset");
        if (subset is not null && Names.CheckDns1123Label(subset) is { } subsetProblem)
        {
            context.Error(ReadContext.Field(path, "subset"), subsetProblem);
        }

        var portObj = context.OptionalObject(obj, path, "port", "number");
        var port = portObj is null ? null : context.Int(portObj, ReadContext.Field(path, "port"), "number", 1, 65535, required: true);
        return host is null || context.ErrorCount != before ? null : new Destination { Host = host, Subset = subset, Port = port };
    }

    private static HttpRetry? ReadRetries(ReadContext context, JsonObject route, string path)
    {
        var obj = context.OptionalObject(route, path, "retries", "attempts", "perTryTimeout", "retryOn");
        if (obj is null)
        {
            return null;
        }

        var at = ReadContext.Field(path, "retries");
        var attempts = context.Int(obj, at, "attempts", 0, 1000, required: true);
        var perTry = context.Duration(obj, at, "perTryTimeout", OneMillisecond);
        var retryOn = context.String(obj, at, "retryOn");
        if (retryOn is not null && RetryConditions.Check(retryOn) is { } problem)
        {
            context.Error(ReadContext.Field(at, "retryOn"), problem);
        }

        return attempts is null ? null : new HttpRetry { Attempts = attempts.Value, PerTryTimeout = perTry, RetryOn = retryOn };
    }

    private static HttpFaultInjection? ReadFault(ReadContext context, JsonObject route, string path)
    {
        var obj = context.OptionalObject(route, path, "fault", "delay", "abort");
        if (obj is null)
        {
            return null;
        }

        var at = ReadContext.Field(path, "fault");
        FaultDelay? delay = null;
        if (context.OptionalObject(obj, at, "delay", "fixedDelay", "percentage") is { } delayObj)
        {
            var delayAt = ReadContext.Field(at, "delay");
            var fixedDelay = context.Duration(delayObj, delayAt, "fixedDelay", OneMillisecond, required: true);
            var percentage = context.Percent(delayObj, delayAt, "percentage");
            delay = fixedDelay is null ? null : new FaultDelay { FixedDelay = fixedDelay.Value, Percentage = percentage };
        }

        FaultAbort? abort = null;
        if (context.OptionalObject(obj, at, "abort", "httpStatus", "percentage") is { } abortObj)
        {
            var abortAt = ReadContext.Field(at, "abort");
            var status = context.Int(abortObj, abortAt, "httpStatus", 200, 599, required: true);
            var percentage = context.Percent(abortObj, abortAt, "percentage");
            abort = status is null ? null : new FaultAbort { HttpStatus = status.Value, Percentage = percentage };
        }

        if (!ReadContext.Present(obj, "delay") && !ReadContext.Present(obj, "abort"))
        {
            context.Error(at, "must set delay or abort");
        }

        return new HttpFaultInjection { Delay = delay, Abort = abort };
    }

    public static JsonObject WriteSpec(VirtualServiceSpec spec) => new JsonObject()
        .Set("hosts", spec.Hosts, h => JsonValue.Create(h))
        .Set("http", spec.Http, WriteRoute);

    private static JsonObject WriteRoute(HttpRoute route) => new JsonObject()
        .Set("name", route.Name)
        .Set("match", route.Match, WriteMatch)
        .Set("route", route.Route, d => new JsonObject().Set("destination", WriteDestination(d.Destination)).Set("weight", d.Weight).Set("headers", WriteHeaders(d.Headers)))
        .Set("timeout", route.Timeout?.Text)
        .Set("retries", route.Retries is not { } r ? null : new JsonObject()
            .Set("attempts", r.Attempts).Set("perTryTimeout", r.PerTryTimeout?.Text).Set("retryOn", r.RetryOn))
        .Set("fault", route.Fault is not { } f ? null : new JsonObject()
            .Set("delay", f.Delay is not { } d ? null : new JsonObject().Set("fixedDelay", d.FixedDelay.Text).SetPercent("percentage", d.Percentage))
            .Set("abort", f.Abort is not { } a ? null : new JsonObject().Set("httpStatus", a.HttpStatus).SetPercent("percentage", a.Percentage)))
        .Set("mirror", route.Mirror is null ? null : WriteDestination(route.Mirror))
        .SetPercent("mirrorPercentage", route.MirrorPercentage);

    private static JsonObject? WriteHeaders(Headers? headers) => headers is null ? null : new JsonObject()
        .Set("request", WriteHeaderOperations(headers.Request))
        .Set("response", WriteHeaderOperations(headers.Response));

    private static JsonObject? WriteHeaderOperations(HeaderOperations? operations) => operations is null ? null : new JsonObject()
        .Set("set", operations.Set.Count == 0 ? null : operations.Set)
        .Set("add", operations.Add.Count == 0 ? null : operations.Add)
        .Set("remove", operations.Remove, r => JsonValue.Create(r));

    internal static JsonObject WriteMatch(HttpMatchRequest match) => new JsonObject()
        .Set("name", match.Name)
        .Set("uri", match.Uri is null ? null : WriteStringMatch(match.Uri))
        .Set("headers", match.Headers.Count == 0 ? null : new JsonObject(match.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)WriteStringMatch(h.Value)))))
        .Set("ignoreUriCase", match.IgnoreUriCase);

    internal static JsonObject WriteStringMatch(StringMatch match) =>
        new JsonObject().Set(match.Kind.ToString().ToLowerInvariant(), match.Value);

    private static JsonObject WriteDestination(Destination destination) => new JsonObject()
        .Set("host", destination.Host)
        .Set("subset", destination.Subset)
        .Set("port", destination.Port is null ? null : new JsonObject().Set("number", destination.Port));
}
