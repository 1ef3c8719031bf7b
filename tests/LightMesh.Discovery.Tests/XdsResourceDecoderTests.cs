using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.Router.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Type.Matcher.V3;
using Envoy.Type.V3;
using Google.Protobuf.WellKnownTypes;
using LightMesh.Discovery.Xds.Resources;
using LightMesh.Xds.Translation;

namespace LightMesh.Discovery.Tests;

/// <summary>What the xds:/// client accepts from a control plane, and the reasons it gives in a NACK for what it cannot use.</summary>
public sealed class XdsResourceDecoderTests
{
    [Fact]
    public void Decode_ListenerWithRdsOverAds_NamesItsRouteConfiguration()
    {
        var decoded = ResourceDecoder.Decode(TypeUrls.Listener, Any.Pack(Listener("checkout:8080", Manager(new HttpFilter { Name = "router", TypedConfig = Any.Pack(new Router()) }))));

        Assert.Empty(decoded.Errors);
        Assert.Equal(new ListenerResource("checkout:8080", "8080", null), decoded.Resource);
    }

    [Fact]
    public void Decode_ListenerWhoseFiltersItCannotRun_GivesEveryReason()
    {
        var manager = Manager(
            new HttpFilter { Name = "router", TypedConfig = Any.Pack(new Router()) },
            new HttpFilter { Name = "authz", TypedConfig = Any.Pack(new Empty()) },
            new HttpFilter { Name = "authz", TypedConfig = Any.Pack(new Empty()), IsOptional = true });
        manager.Rds.ConfigSource = new ConfigSource();

        var decoded = ResourceDecoder.Decode(TypeUrls.Listener, Any.Pack(Listener("checkout:8080", manager)));

        Assert.Null(decoded.Resource);
        Assert.Equal("checkout:8080", decoded.Name);
        Assert.Equal(
            [
                "api_listener.rds.config_source: must be ads or self",
                "api_listener.http_filters[0] (router): the router must be the last filter",
                "api_listener.http_filters[1] (authz): type.googleapis.com/google.protobuf.Empty is not a filter this client supports",
                "api_listener.http_filters[2] (authz): the name is used twice",
                "api_listener.http_filters: the last filter must be the router",
            ],
            decoded.Errors);
    }

    [Fact]
    public void Decode_RouteConfigurationWithSeveralProblems_ReportsEachWithItsPath()
    {
        var routes = new RouteConfiguration
        {
            Name = "8080",
            VirtualHosts =
            {
                new VirtualHost
                {
                    Name = "checkout:8080",
                    Routes =
                    {
                        new Route { Name = "atomic", Match = new RouteMatch { SafeRegex = new RegexMatcher { Regex = "/a/(?>b)" } }, Route_ = new RouteAction { Cluster = "c" } },
                        new Route
                        {
                            Name = "weights",
                            Match = new RouteMatch { Prefix = "/", Headers = { new HeaderMatcher { Name = "x-n", RangeMatch = new Int64Range { Start = 5, End = 5 } } } },
                            Route_ = new RouteAction { WeightedClusters = new WeightedCluster { Clusters = { new WeightedCluster.Types.ClusterWeight { Name = "c", Weight = 0 } } } },
                        },
                    },
                },
            },
        };

        var decoded = ResourceDecoder.Decode(TypeUrls.Route, Any.Pack(routes));

        Assert.Null(decoded.Resource);
        Assert.Equal(4, decoded.Errors.Count);
        Assert.Equal("virtual_hosts[0] (checkout:8080).domains: at least one is required", decoded.Errors[0]);
        Assert.StartsWith("virtual_hosts[0] (checkout:8080).routes[0] (atomic).match.safe_regex: \"/a/(?>b)\" is not a regular expression this client can run", decoded.Errors[1], StringComparison.Ordinal);
        Assert.Equal("virtual_hosts[0] (checkout:8080).routes[1] (weights).match.headers[0] (x-n).range_match: [5, 5) is empty", decoded.Errors[2]);
        Assert.Equal("virtual_hosts[0] (checkout:8080).routes[1] (weights).route.weighted_clusters: the weights must add up to more than 0 and at most 4294967295, not 0", decoded.Errors[3]);
    }

    [Fact]
    public void Decode_RouteWhoseClusterComesFromAHeader_IsLeftOutAsGrpcDoes()
    {
        var routes = new RouteConfiguration
        {
            Name = "8080",
            VirtualHosts = { new VirtualHost { Name = "v", Domains = { "*" }, Routes = { new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction() } } } },
        };

        var decoded = ResourceDecoder.Decode(TypeUrls.Route, Any.Pack(routes));

        Assert.Empty(decoded.Errors);
        Assert.Empty(Assert.Single(((RouteConfigResource)decoded.Resource!).VirtualHosts).Routes);
    }

    [Theory]
    [InlineData(Cluster.Types.LbPolicy.RoundRobin, "RoundRobin")]
    [InlineData(Cluster.Types.LbPolicy.LeastRequest, "LeastRequest")]
    [InlineData(Cluster.Types.LbPolicy.Random, "Random")]
    public void Decode_EdsCluster_TakesItsPolicyAndServiceName(Cluster.Types.LbPolicy policy, string expectedPolicy)
    {
        var expected = System.Enum.Parse<ClusterLbPolicy>(expectedPolicy);
        var cluster = EdsCluster("outbound|8080|v1|checkout", policy);

        var decoded = ResourceDecoder.Decode(TypeUrls.Cluster, Any.Pack(cluster));

        Assert.Equal(new ClusterResource("outbound|8080|v1|checkout", "outbound|8080|v1|checkout", expected), decoded.Resource);
    }

    [Fact]
    public void Decode_RingHashClusterNotOverAds_GivesBothReasons()
    {
        var cluster = EdsCluster("c", Cluster.Types.LbPolicy.RingHash);
        cluster.EdsClusterConfig.EdsConfig = new ConfigSource();

        var decoded = ResourceDecoder.Decode(TypeUrls.Cluster, Any.Pack(cluster));

        Assert.Equal(["eds_cluster_config.eds_config: must be ads or self", "lb_policy: RingHash is not supported; ROUND_ROBIN, LEAST_REQUEST or RANDOM"], decoded.Errors);
    }

    [Fact]
    public void Decode_Endpoints_UsesTheLowestPriorityOfWeightedLocalitiesAndOnlyUsableHealth()
    {
        var assignment = new ClusterLoadAssignment
        {
            ClusterName = "c",
            Endpoints =
            {
                Locality(1, 0, Endpoint("10.0.0.9", 80, HealthStatus.Healthy)),
                Locality(1, 1, Endpoint("10.0.0.1", 80, HealthStatus.Healthy)),
                Locality(null, 0, Endpoint("10.0.0.2", 80, HealthStatus.Healthy)),
                Locality(3, 0, Endpoint("10.0.0.3", 80, HealthStatus.Unknown), Endpoint("10.0.0.4", 80, HealthStatus.Draining)),
            },
        };

        var decoded = ResourceDecoder.Decode(TypeUrls.Endpoint, Any.Pack(assignment));

        Assert.Equal(["10.0.0.9:80", "10.0.0.3:80"], ((EndpointsResource)decoded.Resource!).Endpoints.Select(e => e.ToString()));
    }

    [Fact]
    public void Decode_EndpointListedTwice_IsRejected()
    {
        var assignment = new ClusterLoadAssignment { ClusterName = "c", Endpoints = { Locality(1, 0, Endpoint("10.0.0.1", 80, HealthStatus.Healthy), Endpoint("10.0.0.1", 80, HealthStatus.Healthy)) } };

        var decoded = ResourceDecoder.Decode(TypeUrls.Endpoint, Any.Pack(assignment));

        Assert.Equal(["endpoints[0].lb_endpoints[1]: 10.0.0.1:80 is listed twice"], decoded.Errors);
    }

    [Fact]
    public void Decode_ResourceOfAnotherType_IsNamedAsSuch()
    {
        var decoded = ResourceDecoder.Decode(TypeUrls.Cluster, Any.Pack(new ClusterLoadAssignment { ClusterName = "c" }));

        Assert.Null(decoded.Name);
        Assert.Equal([$"a {TypeUrls.Endpoint} in a response for {TypeUrls.Cluster}"], decoded.Errors);
    }

    private static Listener Listener(string name, HttpConnectionManager manager) =>
        new() { Name = name, ApiListener = new ApiListener { ApiListener_ = Any.Pack(manager) } };

    private static HttpConnectionManager Manager(params HttpFilter[] filters) => new()
    {
        Rds = new Rds { ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() }, RouteConfigName = "8080" },
        HttpFilters = { filters },
    };

    private static Cluster EdsCluster(string name, Cluster.Types.LbPolicy policy) => new()
    {
        Name = name,
        Type = Cluster.Types.DiscoveryType.Eds,
        EdsClusterConfig = new Cluster.Types.EdsClusterConfig { EdsConfig = new ConfigSource { Ads = new AggregatedConfigSource() } },
        LbPolicy = policy,
    };

    private static LocalityLbEndpoints Locality(uint? weight, uint priority, params LbEndpoint[] endpoints) =>
        new() { Locality = new Locality(), LoadBalancingWeight = weight, Priority = priority, LbEndpoints = { endpoints } };

    private static LbEndpoint Endpoint(string address, uint port, HealthStatus health) => new()
    {
        Endpoint = new Envoy.Config.Endpoint.V3.Endpoint { Address = new Address { SocketAddress = new SocketAddress { Address = address, PortValue = port } } },
        HealthStatus = health,
    };
}
