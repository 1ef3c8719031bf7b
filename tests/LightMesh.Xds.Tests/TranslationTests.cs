using Envoy.Config.Core.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using LightMesh.Testing;
using LightMesh.Xds.Translation;
using static LightMesh.Xds.Tests.Meshes;

namespace LightMesh.Xds.Tests;

public sealed class TranslationTests
{
    private static T Resource<T>(IReadOnlyDictionary<string, XdsResource> resources, string name) => (T)resources[name].Message;

    [Fact]
    public void Translate_WeightedCanary_GivesClusterPerSubsetWithItsInstances()
    {
        var xds = Translate(Build(7, $"{Checkout}\n---\n{Weights(90, 10)}", Instance("v1", 9001), Instance("v1", 9002), Instance("v2", 9003)));

        Assert.Equal(["outbound|8080|v1|checkout", "outbound|8080|v2|checkout", "outbound|8080||checkout"], xds.Clusters.Keys.Order(StringComparer.Ordinal));
        var v1 = Resource<Cluster>(xds.Clusters, "outbound|8080|v1|checkout");
        Assert.Equal(Cluster.Types.DiscoveryType.Eds, v1.Type);
        Assert.Equal("outbound|8080|v1|checkout", v1.EdsClusterConfig.ServiceName);
        Assert.NotNull(v1.EdsClusterConfig.EdsConfig.Ads);
        Assert.Equal(Cluster.Types.LbPolicy.LeastRequest, v1.LbPolicy);
        Assert.Equal([9001u, 9002u], Ports(Resource<ClusterLoadAssignment>(xds.Endpoints, "outbound|8080|v1|checkout")));
        Assert.Equal([9003u], Ports(Resource<ClusterLoadAssignment>(xds.Endpoints, "outbound|8080|v2|checkout")));
        Assert.Equal([9001u, 9002u, 9003u], Ports(Resource<ClusterLoadAssignment>(xds.Endpoints, "outbound|8080||checkout")));

        var host = Assert.Single(Resource<RouteConfiguration>(xds.Routes, "8080").VirtualHosts);
        Assert.Equal(["checkout", "checkout:8080"], host.Domains);
        Assert.Equal(["canary-testers", "primary"], host.Routes.Select(r => r.Name));
        Assert.Equal("x-canary", host.Routes[0].Match.Headers[0].Name);
        Assert.Equal("true", host.Routes[0].Match.Headers[0].StringMatch.Exact);
        Assert.Equal("outbound|8080|v2|checkout", host.Routes[0].Route_.Cluster);
        Assert.Equal(
            [("outbound|8080|v1|checkout", 90u), ("outbound|8080|v2|checkout", 10u)],
            host.Routes[1].Route_.WeightedClusters.Clusters.Select(c => (c.Name, c.Weight ?? 0)));
        Assert.Equal(7, xds.Revision);
    }

    [Fact]
    public void Translate_DestinationHeaders_GoOnItsWeightedCluster_EvenWhenItIsTheOnlyDestination()
    {
        const string routes = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: checkout}
            spec:
              hosts: [checkout]
              http:
              - name: testers
                match: [{headers: {x-canary: {exact: "true"}}}]
                route:
                - destination: {host: checkout, subset: v2}
                  headers: {request: {set: {x-version: v2}, remove: [x-debug]}}
              - name: primary
                route:
                - destination: {host: checkout, subset: v1}
                  weight: 90
                - destination: {host: checkout, subset: v2}
                  weight: 10
                  headers: {response: {add: {set-cookie: "lm=abc; Max-Age=60; Path=/"}, set: {x-served-by: canary}, remove: [server]}}
            """;
        var xds = Translate(Build(1, $"{Checkout}\n---\n{routes}", Instance("v1", 9001), Instance("v2", 9002)));

        var host = Assert.Single(Resource<RouteConfiguration>(xds.Routes, "8080").VirtualHosts);
        var testers = Assert.Single(host.Routes[0].Route_.WeightedClusters.Clusters);
        Assert.Equal(("outbound|8080|v2|checkout", 100u), (testers.Name, testers.Weight ?? 0));
        var set = Assert.Single(testers.RequestHeadersToAdd);
        Assert.Equal(("x-version", "v2", HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd), (set.Header.Key, set.Header.Value, set.AppendAction));
        Assert.Equal(["x-debug"], testers.RequestHeadersToRemove);
        Assert.Empty(testers.ResponseHeadersToAdd);

        var (stable, canary) = (host.Routes[1].Route_.WeightedClusters.Clusters[0], host.Routes[1].Route_.WeightedClusters.Clusters[1]);
        Assert.Empty(stable.ResponseHeadersToAdd);
        Assert.Equal(
            [("x-served-by", "canary", HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd), ("set-cookie", "lm=abc; Max-Age=60; Path=/", HeaderValueOption.Types.HeaderAppendAction.AppendIfExistsOrAdd)],
            canary.ResponseHeadersToAdd.Select(h => (h.Header.Key, h.Header.Value, h.AppendAction)));
        Assert.Equal(["server"], canary.ResponseHeadersToRemove);
    }

    /// <summary>
    /// While a release's routes hold its preview route, the preview is also served under a name of its own,
    /// SERVICE-preview (an API listener for proxyless clients, a virtual host in every route configuration for sidecars),
    /// sending every request to the preview's destination; the name goes with the route. A Service of that name keeps it.
    /// </summary>
    [Fact]
    public void Translate_PreviewRoute_ServesTheServiceNamedPreview_UntilTheRouteGoes_UnlessAServiceHasThatName()
    {
        var previewing = TestMeshes.VirtualService("checkout", [TestMeshes.Match("checkout", "v2", "x-lightmesh-preview", "true", "lightmesh-release-preview"), TestMeshes.To("checkout", "v1")]);
        var xds = Translate(Build(1, $"{Checkout}\n---\n{previewing}", Instance("v1", 9001), Instance("v2", 9002)));

        foreach (var config in new[] { "8080", ClusterNames.SidecarRoute })
        {
            var hosts = Resource<RouteConfiguration>(xds.Routes, config).VirtualHosts;
            Assert.Equal(["checkout:8080", "checkout-preview:8080"], hosts.Select(h => h.Name));
            Assert.Equal(["checkout-preview", "checkout-preview:8080"], hosts[1].Domains);
            var route = Assert.Single(hosts[1].Routes);
            Assert.Equal(("preview", "/", "outbound|8080|v2|checkout"), (route.Name, route.Match.Prefix, route.Route_.Cluster));
            Assert.Empty(route.Match.Headers);
        }

        foreach (var name in new[] { "checkout-preview:8080", "checkout-preview" })
        {
            var manager = Resource<Listener>(xds.ApiListeners, name).ApiListener.ApiListener_.Unpack<HttpConnectionManager>();
            Assert.Equal("8080", manager.Rds.RouteConfigName);
        }

        Assert.Equal("checkout", xds.Previews["checkout-preview"]);
        Assert.Empty(xds.Problems);

        var ended = Translate(Build(2, $"{Checkout}\n---\n{TestMeshes.DefaultRoute("checkout", "v1")}", Instance("v1", 9001), Instance("v2", 9002)), xds);
        Assert.Equal(["checkout:8080"], Resource<RouteConfiguration>(ended.Routes, "8080").VirtualHosts.Select(h => h.Name));
        Assert.DoesNotContain(ended.ApiListeners.Keys, k => k.StartsWith("checkout-preview", StringComparison.Ordinal));
        Assert.Empty(ended.Previews);

        var named = TestMeshes.Service("checkout-preview", port: 9090, protocol: "grpc");
        var taken = Translate(Build(3, $"{Checkout}\n---\n{previewing}\n---\n{named}", Instance("v1", 9001), Instance("v2", 9002)), xds);
        Assert.Equal(["checkout:8080"], Resource<RouteConfiguration>(taken.Routes, "8080").VirtualHosts.Select(h => h.Name));
        Assert.Equal("9090", Resource<Listener>(taken.ApiListeners, "checkout-preview").ApiListener.ApiListener_.Unpack<HttpConnectionManager>().Rds.RouteConfigName);
        Assert.Contains("checkout: its preview is reached by its header only: the name checkout-preview is a Service's", taken.Problems);
    }

    [Fact]
    public void Translate_ServiceWithoutVirtualService_RoutesEverythingToTheWholeService()
    {
        var xds = Translate(Build(1, Checkout, Instance("v1", 9001)));

        var route = Assert.Single(Assert.Single(Resource<RouteConfiguration>(xds.Routes, "8080").VirtualHosts).Routes);
        Assert.Equal("/", route.Match.Prefix);
        Assert.Equal("outbound|8080||checkout", route.Route_.Cluster);
    }

    [Fact]
    public void Translate_WeightToASubsetWithNoEndpoints_KeepsTheLastGoodRoutesAndSaysWhy()
    {
        var good = Translate(Build(1, $"{Checkout}\n---\n{Weights(100, 0)}", Instance("v1", 9001)));

        var next = Translate(Build(2, $"{Checkout}\n---\n{Weights(50, 50)}", Instance("v1", 9001)), good);

        Assert.True(next.Routes["8080"].SameContentAs(good.Routes["8080"]));
        Assert.Contains("outbound|8080|v2|checkout with no endpoints", Assert.Single(next.Problems), StringComparison.Ordinal);

        var healed = Translate(Build(3, $"{Checkout}\n---\n{Weights(50, 50)}", Instance("v1", 9001), Instance("v2", 9002)), next);
        Assert.Empty(healed.Problems);
        Assert.False(healed.Routes["8080"].SameContentAs(good.Routes["8080"]));
    }

    [Fact]
    public void Translate_TimeoutRetriesFaultMirror_MapToRouteAction()
    {
        const string vs = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: checkout}
            spec:
              hosts: [checkout]
              http:
              - route: [{destination: {host: checkout, subset: v1}}]
                timeout: 1.5s
                retries: {attempts: 2, perTryTimeout: 500ms, retryOn: unavailable}
                fault: {abort: {httpStatus: 503, percentage: {value: 12.5}}}
                mirror: {host: checkout, subset: v2}
                mirrorPercentage: {value: 25}
            """;

        var xds = Translate(Build(1, $"{Checkout}\n---\n{vs}", Instance("v1", 9001), Instance("v2", 9002)));

        var route = Resource<RouteConfiguration>(xds.Routes, "8080").VirtualHosts[0].Routes[0];
        Assert.Equal(TimeSpan.FromSeconds(1.5), route.Route_.Timeout.ToTimeSpan());
        Assert.Equal(TimeSpan.FromSeconds(1.5), route.Route_.MaxStreamDuration.MaxStreamDuration_.ToTimeSpan());
        Assert.Equal("unavailable", route.Route_.RetryPolicy.RetryOn);
        Assert.Equal(2u, route.Route_.RetryPolicy.NumRetries);
        var fault = route.TypedPerFilterConfig[FilterNames.Fault].Unpack<HTTPFault>();
        Assert.Equal(503u, fault.Abort.HttpStatus);
        Assert.Equal(125_000u, fault.Abort.Percentage.Numerator);
        var mirror = Assert.Single(route.Route_.RequestMirrorPolicies);
        Assert.Equal("outbound|8080|v2|checkout", mirror.Cluster);
        Assert.Equal(250_000u, mirror.RuntimeFraction.DefaultValue.Numerator);
    }

    [Fact]
    public void Translate_ApiListener_TakesRoutesByRdsOverAdsWithTheRouterLast()
    {
        var xds = Translate(Build(1, Checkout));

        Assert.Equal(["checkout", "checkout:8080"], xds.ApiListeners.Keys.Order(StringComparer.Ordinal));
        var manager = Resource<Listener>(xds.ApiListeners, "checkout:8080").ApiListener.ApiListener_.Unpack<HttpConnectionManager>();
        Assert.Equal("8080", manager.Rds.RouteConfigName);
        Assert.NotNull(manager.Rds.ConfigSource.Ads);
        Assert.Equal([FilterNames.Fault, FilterNames.Router], manager.HttpFilters.Select(f => f.Name));
    }

    [Fact]
    public void Translate_Node_GetsAnOutboundListenerOnItsProxyPort()
    {
        const string node = "apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {name: node-1}\nspec: {address: 127.0.0.1, proxyPort: 15011}";

        var xds = Translate(Build(1, $"{Checkout}\n---\n{node}"));

        var listener = Resource<Listener>(xds.SidecarListeners, "node-1");
        Assert.Equal(15011u, listener.Address.SocketAddress.PortValue);
        var manager = listener.FilterChains[0].Filters[0].TypedConfig.Unpack<HttpConnectionManager>();
        Assert.Equal(ClusterNames.SidecarRoute, manager.Rds.RouteConfigName);
        Assert.Contains(xds.Routes, r => r.Key == ClusterNames.SidecarRoute);
    }

    [Fact]
    public void Translate_OneServiceChanged_ReusesEverythingBuiltForTheOthers()
    {
        var payments = TestMeshes.Service("payments", 9090, "grpc");
        var mesh = Build(1, $"{Checkout}\n---\n{Weights(100, 0)}\n---\n{payments}", Instance("v1", 9001));
        var first = Translate(mesh);

        var changedVs = Build(2, Weights(50, 50)).VirtualServices;
        var second = Translate(mesh with { VirtualServices = changedVs, Instances = [.. mesh.Instances, Instance("v2", 9002)], Revision = 2 }, first);

        Assert.Same(first.Clusters["outbound|9090||payments"], second.Clusters["outbound|9090||payments"]);
        Assert.Same(first.Routes["9090"], second.Routes["9090"]);
        Assert.Same(first.ApiListeners["payments:9090"], second.ApiListeners["payments:9090"]);
        Assert.NotSame(first.Routes["8080"], second.Routes["8080"]);
        Assert.False(first.Routes["8080"].SameContentAs(second.Routes["8080"]));
    }

    private static List<uint> Ports(ClusterLoadAssignment assignment) =>
        assignment.Endpoints.SelectMany(l => l.LbEndpoints).Select(e => e.Endpoint.Address.SocketAddress.PortValue).ToList();
}
