using System.Text.Json.Nodes;
using Envoy.Config.Core.V3;
using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;
using Envoy.Type.V3;
using Google.Protobuf;
using LightMesh.Testing;
using LightMesh.Xds.Bootstrap;
using LightMesh.Xds.Translation;
using static LightMesh.Xds.Tests.Meshes;

namespace LightMesh.Xds.Tests;

/// <summary>What we emit decodes with Envoy's canonical protos (as shipped with @grpc/grpc-js-xds) with nothing unknown or lost.</summary>
public sealed class XdsConformanceTests
{
    private const string Everything = """
        apiVersion: lightmesh.io/v1
        kind: Node
        metadata: {name: node-1}
        spec: {address: 127.0.0.1, proxyPort: 15001}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: checkout-policy}
        spec:
          host: checkout
          trafficPolicy:
            loadBalancer: {simple: RANDOM}
            connectionPool:
              tcp: {maxConnections: 100, connectTimeout: 250ms}
              http: {http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRetries: 3}
            outlierDetection: {consecutive5xxErrors: 5, consecutiveGatewayErrors: 2, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50, minHealthPercent: 20}
          subsets:
          - {name: v1, labels: {version: v1}}
          - name: v2
            labels: {version: v2}
            trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: checkout}
        spec:
          hosts: [checkout]
          http:
          - name: exact
            match:
            - uri: {exact: /shop.Checkout/Pay}
              headers:
                x-canary: {exact: "true"}
                x-user: {prefix: test-}
                x-region: {regex: "^eu-.*$"}
            - uri: {regex: "^/shop\\..*"}
              ignoreUriCase: true
            route:
            - destination: {host: checkout, subset: v2}
            fault:
              delay: {fixedDelay: 1.5s, percentage: {value: 50}}
              abort: {httpStatus: 503, percentage: {value: 12.5}}
          - name: primary
            route:
            - destination: {host: checkout, subset: v1, port: {number: 8080}}
              weight: 75
            - destination: {host: checkout, subset: v2}
              weight: 25
              headers:
                request: {set: {x-version: v2}, remove: [x-debug]}
                response: {add: {set-cookie: "lm=abc; Max-Age=60; Path=/"}, remove: [server]}
            timeout: 2s
            retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,unavailable"}
            mirror: {host: checkout, subset: v2}
            mirrorPercentage: {value: 10}
        """;

    [Fact]
    public async Task EveryEmittedResource_DecodesWithTheCanonicalProtosUnchanged()
    {
        var xds = Translate(Build(3, $"{CheckoutService}\n---\n{Everything}", Instance("v1", 9001), Instance("v2", 9002)));
        var items = new JsonArray();
        foreach (var (typeUrl, resources) in new[]
                 {
                     (TypeUrls.Cluster, xds.Clusters), (TypeUrls.Endpoint, xds.Endpoints), (TypeUrls.Route, xds.Routes),
                     (TypeUrls.Listener, xds.ApiListeners), (TypeUrls.Listener, xds.SidecarListeners),
                 })
        {
            foreach (var resource in resources.Values)
            {
                items.Add(new JsonObject { ["name"] = resource.Name, ["typeUrl"] = typeUrl, ["base64"] = resource.Packed.Value.ToBase64() });
            }
        }

        var (exitCode, output, errors) = await NodePeers.DecodeAsync(items.ToJsonString());

        Assert.True(exitCode == 0, $"{errors}\n{output?.ToJsonString()}");
        var results = output!.AsArray();
        Assert.Equal(items.Count, results.Count);
        Assert.All(results, r => Assert.True(r!["ok"]!.GetValue<bool>(), r.ToJsonString()));
        Assert.Contains(results, r => r!["typeUrl"]!.GetValue<string>() == TypeUrls.Route && r.ToJsonString().Contains("envoy.extensions.filters.http.fault.v3.HTTPFault", StringComparison.Ordinal));
        Assert.Contains(results, r => r!["name"]!.GetValue<string>() == "outbound|8080|v2|checkout" && r.ToJsonString().Contains("LEAST_REQUEST", StringComparison.Ordinal));

        // A destination's headers decode under Envoy's names, with the append actions Istio's set and add mean.
        var canary = results.First(r => r!["typeUrl"]!.GetValue<string>() == TypeUrls.Route && r.ToJsonString().Contains("set-cookie", StringComparison.Ordinal))!["json"]!["virtual_hosts"]![0]!["routes"]![2]!["route"]!["weighted_clusters"]!["clusters"]![1]!;
        Assert.Equal("set-cookie", canary["response_headers_to_add"]![0]!["header"]!["key"]!.ToString());
        Assert.Null(canary["response_headers_to_add"]![0]!["append_action"]); // APPEND_IF_EXISTS_OR_ADD, the default: not on the wire
        Assert.Equal("OVERWRITE_IF_EXISTS_OR_ADD", canary["request_headers_to_add"]![0]!["append_action"]!.ToString());
        Assert.Equal("server", canary["response_headers_to_remove"]![0]!.ToString());
        Assert.Equal("x-debug", canary["request_headers_to_remove"]![0]!.ToString());
    }

    [Fact]
    public async Task MatchersAProxylessClientReads_DecodeWithTheCanonicalProtosUnderTheSameNames()
    {
        // Fields we never emit but LightMesh.Discovery's xds:/// client reads: their numbers and types must be Envoy's.
        var match = new RouteMatch
        {
            Prefix = "/",
            RuntimeFraction = new RuntimeFractionalPercent { DefaultValue = new FractionalPercent { Numerator = 25, Denominator = FractionalPercent.Types.DenominatorType.Hundred } },
            Headers =
            {
                new HeaderMatcher { Name = "a", ExactMatch = "exact-value" },
                new HeaderMatcher { Name = "b", SafeRegexMatch = new RegexMatcher { Regex = "regex-value" } },
                new HeaderMatcher { Name = "c", RangeMatch = new Int64Range { Start = 10, End = 20 } },
                new HeaderMatcher { Name = "d", PrefixMatch = "prefix-value" },
                new HeaderMatcher { Name = "e", SuffixMatch = "suffix-value" },
                new HeaderMatcher { Name = "f", ContainsMatch = "contains-value" },
                new HeaderMatcher { Name = "g", StringMatch = new StringMatcher { Suffix = "string-suffix" } },
                new HeaderMatcher { Name = "h", StringMatch = new StringMatcher { Contains = "string-contains", IgnoreCase = true } },
            },
        };
        var routes = new RouteConfiguration { Name = "r", VirtualHosts = { new VirtualHost { Name = "v", Domains = { "*" }, Routes = { new Route { Match = match, Route_ = new RouteAction { Cluster = "c" } } } } } };
        var item = new JsonObject { ["name"] = "r", ["typeUrl"] = TypeUrls.Route, ["base64"] = routes.ToByteString().ToBase64() };

        var (exitCode, output, errors) = await NodePeers.DecodeAsync(new JsonArray(item).ToJsonString());

        Assert.True(exitCode == 0, $"{errors}\n{output?.ToJsonString()}");
        var decoded = output![0]!["json"]!["virtual_hosts"]![0]!["routes"]![0]!["match"]!;
        Assert.Equal("25", decoded["runtime_fraction"]!["default_value"]!["numerator"]!.ToString());
        var headers = decoded["headers"]!.AsArray();
        Assert.Equal("exact-value", headers[0]!["exact_match"]!.ToString());
        Assert.Equal("regex-value", headers[1]!["safe_regex_match"]!["regex"]!.ToString());
        Assert.Equal(("10", "20"), (headers[2]!["range_match"]!["start"]!.ToString(), headers[2]!["range_match"]!["end"]!.ToString()));
        Assert.Equal("prefix-value", headers[3]!["prefix_match"]!.ToString());
        Assert.Equal("suffix-value", headers[4]!["suffix_match"]!.ToString());
        Assert.Equal("contains-value", headers[5]!["contains_match"]!.ToString());
        Assert.Equal("string-suffix", headers[6]!["string_match"]!["suffix"]!.ToString());
        Assert.Equal("string-contains", headers[7]!["string_match"]!["contains"]!.ToString());
    }

    [Fact]
    public async Task DiscoveryResponse_DecodesWithTheCanonicalProtos()
    {
        var response = new Envoy.Service.Discovery.V3.DiscoveryResponse { TypeUrl = TypeUrls.Cluster, VersionInfo = "3", Nonce = "s-1" };
        response.Resources.Add(Translate(Build(3, Checkout)).Clusters.Values.First().Packed);
        var item = new JsonObject { ["name"] = "response", ["typeUrl"] = TypeUrls.Prefix + "envoy.service.discovery.v3.DiscoveryResponse", ["base64"] = response.ToByteString().ToBase64() };

        var (exitCode, output, errors) = await NodePeers.DecodeAsync(new JsonArray(item).ToJsonString());

        Assert.True(exitCode == 0, $"{errors}\n{output?.ToJsonString()}");
    }

    [Fact]
    public async Task EnvoyBootstrap_IsAValidCanonicalBootstrap_WithOneControllerOrSeveral()
    {
        foreach (var bootstrap in new[] { Bootstraps.Envoy("node-1", "127.0.0.1", 18000, 9901), Bootstraps.Envoy("node-1", [("127.0.0.1", 18000), ("127.0.0.2", 18000)], 9901) })
        {
            var (exitCode, output, errors) = await NodePeers.DecodeAsync(bootstrap.ToJsonString(), "--json-type", "envoy.config.bootstrap.v3.Bootstrap");

            Assert.True(exitCode == 0, $"{errors}\n{output?.ToJsonString()}");
        }
    }

    [Fact]
    public async Task Decoder_CatchesAFieldTheCanonicalProtosDoNotHave()
    {
        var cluster = Translate(Build(3, Checkout)).Clusters.Values.First().Packed.Value.Concat(new byte[] { 0xB8, 0x3E, 0x01 }).ToArray(); // field 999, varint 1
        var item = new JsonObject { ["name"] = "tampered", ["typeUrl"] = TypeUrls.Cluster, ["base64"] = Convert.ToBase64String(cluster) };

        var (exitCode, output, _) = await NodePeers.DecodeAsync(new JsonArray(item).ToJsonString());

        Assert.Equal(1, exitCode);
        Assert.False(output![0]!["ok"]!.GetValue<bool>());
    }
}
