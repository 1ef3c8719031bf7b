using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.Router.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using LightMesh.Testing;
using LightMesh.Xds.Bootstrap;
using LightMesh.Xds.Translation;
using LbPolicy = Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// The .NET xds:/// client against responses our control plane never sends, served by <see cref="ScriptedAdsServer"/>:
/// a response with one usable and one unusable resource (gRFC A46), and a listener that never comes.
/// </summary>
public sealed class XdsClientProtocolTests
{
    private const string Target = "xds:///echo:80";

    [Fact]
    public async Task ResponseWithAnUnusableCluster_UsesTheOtherAndNacksNamingIt()
    {
        await using var backend = await GrpcBackend.StartAsync("v1");
        await using var server = await new ScriptedAdsServer()
            .Serve(TypeUrls.Listener, "echo:80", Listener("echo:80", "routes"))
            .Serve(TypeUrls.Route, "routes", Routes("routes", ("x-pick", "b", "b"), (null, null, "a")))
            .Serve(TypeUrls.Cluster, "a", EdsCluster("a", LbPolicy.RoundRobin))
            .Serve(TypeUrls.Cluster, "b", EdsCluster("b", LbPolicy.RingHash))
            .Serve(TypeUrls.Endpoint, "a", Endpoints("a", backend.Port))
            .StartAsync();
        using var client = DotNetXdsClient.Start(Target, Bootstraps.Grpc("protocol-1", "127.0.0.1", server.Port));

        await client.WaitForVersionAsync("v1", TimeSpan.FromSeconds(10));
        var (_, toB) = await client.CallAsync(new Dictionary<string, string> { ["x-pick"] = "b" });

        Assert.Equal(StatusCode.Unavailable, toB?.StatusCode);
        Assert.Contains("cluster b: rejected: cds b: lb_policy: RingHash is not supported", toB!.Status.Detail, StringComparison.Ordinal);
        var nacks = server.Requests.Where(r => r.TypeUrl == TypeUrls.Cluster && r.ErrorDetail is not null).ToList();
        Assert.NotEmpty(nacks);
        Assert.All(nacks, nack =>
        {
            Assert.Equal("", nack.VersionInfo); // nothing of the type accepted yet: the version stays empty
            Assert.Equal("cds b: lb_policy: RingHash is not supported; ROUND_ROBIN, LEAST_REQUEST or RANDOM", nack.ErrorDetail.Message);
        });
        Assert.Contains(server.Requests, r => r.TypeUrl == TypeUrls.Endpoint && r.ResourceNames.SequenceEqual(["a"]) && r.VersionInfo == "1" && r.ErrorDetail is null);
    }

    [Fact]
    public async Task ListenerThatNeverComes_CallsFailOnceItsTimeoutPasses()
    {
        await using var server = await new ScriptedAdsServer().StartAsync();
        using var client = DotNetXdsClient.Start(Target, Bootstraps.Grpc("protocol-2", "127.0.0.1", server.Port), o => o.ResourceTimeout = TimeSpan.FromSeconds(1));

        var (_, error) = await client.CallAsync();

        Assert.Equal(StatusCode.Unavailable, error?.StatusCode);
        Assert.Equal("xds:///echo:80: the control plane has no listener echo:80", error!.Status.Detail);
        var first = server.Requests[0];
        Assert.Equal(("protocol-2", TypeUrls.Listener, "echo:80"), (first.Node.Id, first.TypeUrl, Assert.Single(first.ResourceNames)));
    }

    private static Listener Listener(string name, string routes) => new()
    {
        Name = name,
        ApiListener = new ApiListener
        {
            ApiListener_ = Any.Pack(new HttpConnectionManager
            {
                Rds = new Rds { ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() }, RouteConfigName = routes },
                HttpFilters = { new HttpFilter { Name = "router", TypedConfig = Any.Pack(new Router()) } },
            }),
        },
    };

    /// <summary>Routes in order: calls whose header has the value go to the cluster; a null header matches every call.</summary>
    private static RouteConfiguration Routes(string name, params (string? Header, string? Value, string Cluster)[] routes)
    {
        var host = new VirtualHost { Name = "echo", Domains = { "*" } };
        foreach (var (header, value, cluster) in routes)
        {
            var match = new RouteMatch { Prefix = "/" };
            if (header is not null)
            {
                match.Headers.Add(new HeaderMatcher { Name = header, ExactMatch = value });
            }

            host.Routes.Add(new Route { Match = match, Route_ = new RouteAction { Cluster = cluster } });
        }

        return new RouteConfiguration { Name = name, VirtualHosts = { host } };
    }

    private static Cluster EdsCluster(string name, LbPolicy policy) => new()
    {
        Name = name,
        Type = Cluster.Types.DiscoveryType.Eds,
        EdsClusterConfig = new Cluster.Types.EdsClusterConfig { EdsConfig = new ConfigSource { Ads = new AggregatedConfigSource() } },
        LbPolicy = policy,
    };

    private static ClusterLoadAssignment Endpoints(string cluster, int port) => new()
    {
        ClusterName = cluster,
        Endpoints =
        {
            new LocalityLbEndpoints
            {
                Locality = new Locality(),
                LoadBalancingWeight = 1,
                LbEndpoints = { new LbEndpoint { Endpoint = new Envoy.Config.Endpoint.V3.Endpoint { Address = new Address { SocketAddress = new SocketAddress { Address = "127.0.0.1", PortValue = (uint)port } } } } },
            },
        },
    };
}
