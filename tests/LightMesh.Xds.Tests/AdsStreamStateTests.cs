using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using LightMesh.Xds.Protocol;
using LightMesh.Xds.Translation;
using static LightMesh.Xds.Tests.Meshes;

namespace LightMesh.Xds.Tests;

public sealed class AdsStreamStateTests
{
    private const string V1 = "outbound|8080|v1|checkout";
    private const string V2 = "outbound|8080|v2|checkout";

    private static readonly XdsSnapshot Stable = Translate(Build(10, $"{Checkout}\n---\n{Weights(100, 0)}", Instance("v1", 9001), Instance("v2", 9002)));

    private static DiscoveryRequest Request(string typeUrl, string nonce = "", string version = "", params string[] names)
    {
        var request = new DiscoveryRequest { TypeUrl = typeUrl, ResponseNonce = nonce, VersionInfo = version };
        request.ResourceNames.AddRange(names);
        return request;
    }

    private static DiscoveryRequest Ack(DiscoveryResponse response, params string[] names) => Request(response.TypeUrl, response.Nonce, response.VersionInfo, names);

    private static DiscoveryRequest Nack(DiscoveryResponse response, string message, params string[] names)
    {
        var request = Request(response.TypeUrl, response.Nonce, "", names);
        request.ErrorDetail = new Google.Rpc.Status { Code = 3, Message = message };
        return request;
    }

    /// <summary>Drives a stream the way a proxyless gRPC client does: LDS, RDS, CDS, EDS by name, ACKing each.</summary>
    private static AdsStreamState GrpcClient(XdsSnapshot snapshot)
    {
        var stream = new AdsStreamState("s", snapshot);
        var first = Request(TypeUrls.Listener, names: "checkout:8080");
        first.Node = new Node { Id = "grpc-client-1", UserAgentName = "grpc-node-js" };
        var lds = Assert.Single(stream.OnRequest(first));
        Assert.Empty(stream.OnRequest(Ack(lds, "checkout:8080")));
        var rds = Assert.Single(stream.OnRequest(Request(TypeUrls.Route, names: "8080")));
        Assert.Empty(stream.OnRequest(Ack(rds, "8080")));
        var cds = Assert.Single(stream.OnRequest(Request(TypeUrls.Cluster, names: [V1, V2])));
        Assert.Empty(stream.OnRequest(Ack(cds, V1, V2)));
        var eds = Assert.Single(stream.OnRequest(Request(TypeUrls.Endpoint, names: [V1, V2])));
        Assert.Empty(stream.OnRequest(Ack(eds, V1, V2)));
        return stream;
    }

    [Fact]
    public void OnRequest_GrpcSubscribesByName_GetsEachResourceAndConverges()
    {
        var stream = GrpcClient(Stable);

        Assert.Equal(10, stream.ConvergedRevision);
        Assert.Equal("grpc-client-1", stream.Node?.Id);
        Assert.True(stream.Subscribes("checkout"));
        Assert.All(stream.Status().Types, t => Assert.Equal("10", t.AckedVersion));
    }

    [Fact]
    public void OnRequest_SubscriptionChangesWithinOneSnapshot_AnswersAndCountsOnlyTheNamesNowAskedFor()
    {
        // What a stream should hold and which services it uses are kept between requests; a change of names must
        // drop them, though the snapshot is the same.
        var stream = GrpcClient(Stable);
        Assert.True(stream.Subscribes("checkout"));
        Assert.Equal(["checkout"], stream.Status().Services);

        var cds = Assert.Single(stream.OnRequest(Request(TypeUrls.Cluster, names: V1)));
        Assert.Equal([V1], cds.Resources.Select(r => r.Unpack<Envoy.Config.Cluster.V3.Cluster>().Name));
        Assert.Empty(stream.OnRequest(Ack(cds, V1)));

        Assert.Single(stream.OnRequest(Request(TypeUrls.Listener)));
        Assert.Single(stream.OnRequest(Request(TypeUrls.Cluster)));
        Assert.Single(stream.OnRequest(Request(TypeUrls.Endpoint)));
        Assert.False(stream.Subscribes("checkout"));
        Assert.Empty(stream.Status().Services);
    }

    [Fact]
    public void OnSnapshot_BeforeTheFirstRequest_DoesNotCountAsConvergedUntilTheClientAcks()
    {
        // A control plane that was restarted hands its first snapshot to streams that are already open.
        var stream = new AdsStreamState("s", XdsSnapshot.Empty);
        Assert.Empty(stream.OnSnapshot(Stable));

        var lds = Assert.Single(stream.OnRequest(Request(TypeUrls.Listener, names: "checkout:8080")));

        Assert.True(stream.Subscribes("checkout"));
        Assert.Equal(0, stream.ConvergedRevision);
        Assert.Empty(stream.OnRequest(Ack(lds, "checkout:8080")));
        Assert.Equal(10, stream.ConvergedRevision);
    }

    [Fact]
    public void OnSnapshot_WeightChange_SendsOnlyTheChangedRouteConfiguration()
    {
        var stream = GrpcClient(Stable);

        var responses = stream.OnSnapshot(Translate(Build(11, $"{Checkout}\n---\n{Weights(50, 50)}", Instance("v1", 9001), Instance("v2", 9002)), Stable));

        var rds = Assert.Single(responses);
        Assert.Equal(TypeUrls.Route, rds.TypeUrl);
        Assert.Equal("11", rds.VersionInfo);
        Assert.Equal(10, stream.ConvergedRevision);
        Assert.Empty(stream.OnRequest(Ack(rds, "8080")));
        Assert.Equal(11, stream.ConvergedRevision);
    }

    [Fact]
    public void OnSnapshot_NothingThisProxyHoldsChanged_SendsNothingButConverges()
    {
        var stream = GrpcClient(Stable);
        const string other = "apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {name: node-9}\nspec: {address: 127.0.0.9}";

        Assert.Empty(stream.OnSnapshot(Translate(Build(12, $"{Checkout}\n---\n{Weights(100, 0)}\n---\n{other}", Instance("v1", 9001), Instance("v2", 9002)), Stable)));
        Assert.Equal(12, stream.ConvergedRevision);
    }

    [Fact]
    public void OnRequest_StaleNonce_IsNeitherAckNorNack()
    {
        var stream = GrpcClient(Stable);
        var first = Assert.Single(stream.OnSnapshot(Translate(Build(11, $"{Checkout}\n---\n{Weights(50, 50)}", Instance("v1", 9001), Instance("v2", 9002)), Stable)));
        var second = Assert.Single(stream.OnSnapshot(Translate(Build(12, $"{Checkout}\n---\n{Weights(20, 80)}", Instance("v1", 9001), Instance("v2", 9002)), Stable)));

        Assert.Empty(stream.OnRequest(Ack(first, "8080")));
        Assert.Equal(10, stream.ConvergedRevision);
        Assert.Empty(stream.OnRequest(Ack(second, "8080")));
        Assert.Equal(12, stream.ConvergedRevision);
    }

    [Fact]
    public void OnRequest_StaleNonceWithNewNames_StillChangesTheSubscription()
    {
        var stream = GrpcClient(Stable);
        var stale = Assert.Single(stream.OnSnapshot(Translate(Build(11, $"{Checkout}\n---\n{Weights(50, 50)}", Instance("v1", 9001), Instance("v2", 9002)), Stable)));
        Assert.Single(stream.OnSnapshot(Translate(Build(12, $"{Checkout}\n---\n{Weights(20, 80)}", Instance("v1", 9001), Instance("v2", 9002)), Stable)));

        var eds = Assert.Single(stream.OnRequest(Request(TypeUrls.Endpoint, "stale-nonce", "10", V1, V2, "outbound|8080||checkout")));

        Assert.Equal(3, eds.Resources.Count);
        Assert.Equal(TypeUrls.Route, stale.TypeUrl);
    }

    [Fact]
    public void OnRequest_Nack_KeepsErrorAndDoesNotResendUntilContentChanges()
    {
        var stream = GrpcClient(Stable);
        var bad = Assert.Single(stream.OnSnapshot(Translate(Build(11, $"{Checkout}\n---\n{Weights(50, 50)}", Instance("v1", 9001), Instance("v2", 9002)), Stable)));

        Assert.Empty(stream.OnRequest(Nack(bad, "route rejected", "8080")));
        Assert.Empty(stream.OnSnapshot(Translate(Build(12, $"{Checkout}\n---\n{Weights(50, 50)}", Instance("v1", 9001), Instance("v2", 9002)), Stable)));

        var status = stream.Status().Types.Single(t => t.Type == "rds");
        Assert.Equal(("10", "route rejected", "11"), (status.AckedVersion, status.LastNackError, status.LastNackVersion));
        Assert.Equal(10, stream.ConvergedRevision);

        var fixedRoutes = Assert.Single(stream.OnSnapshot(Translate(Build(13, $"{Checkout}\n---\n{Weights(60, 40)}", Instance("v1", 9001), Instance("v2", 9002)), Stable)));
        Assert.Equal("13", fixedRoutes.VersionInfo);
    }

    [Fact]
    public void OnRequest_NameThatAppearsLater_IsSentWhenItAppears()
    {
        var stream = new AdsStreamState("s", XdsSnapshot.Empty);
        Assert.Empty(stream.OnRequest(Request(TypeUrls.Endpoint, names: V2)));

        var eds = Assert.Single(stream.OnSnapshot(Stable));

        Assert.Equal(V2, eds.Resources.Single().Unpack<Envoy.Config.Endpoint.V3.ClusterLoadAssignment>().ClusterName);
    }

    [Fact]
    public void OnRequest_UnknownListenerName_IsAnsweredWithACompleteButEmptyLds()
    {
        var stream = new AdsStreamState("s", Stable);

        var lds = Assert.Single(stream.OnRequest(Request(TypeUrls.Listener, names: "nope:1")));

        Assert.Empty(lds.Resources);
    }

    [Fact]
    public void OnSnapshot_EnvoyWildcard_HoldsRoutesBackUntilNewClusterAndEndpointsAreAcked()
    {
        const string node = "apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {name: node-1}\nspec: {address: 127.0.0.1}";
        var before = Translate(Build(20, $"{Checkout}\n---\n{node}\n---\n{Weights(100, 0)}", Instance("v1", 9001)));
        var stream = new AdsStreamState("s", before);
        var cdsRequest = Request(TypeUrls.Cluster);
        cdsRequest.Node = new Node { Id = "node-1" };
        var cds = Assert.Single(stream.OnRequest(cdsRequest));
        Assert.Equal(3, cds.Resources.Count);
        var allClusters = before.Clusters.Keys.ToArray();
        var eds = Assert.Single(stream.OnRequest(Request(TypeUrls.Endpoint, names: allClusters)));
        Assert.Empty(stream.OnRequest(Ack(cds)));
        Assert.Empty(stream.OnRequest(Ack(eds, allClusters)));
        var lds = Assert.Single(stream.OnRequest(Request(TypeUrls.Listener)));
        Assert.Equal("outbound|node-1", Assert.Single(lds.Resources).Unpack<Envoy.Config.Listener.V3.Listener>().Name);
        Assert.Empty(stream.OnRequest(Ack(lds)));
        var rds = Assert.Single(stream.OnRequest(Request(TypeUrls.Route, names: "outbound")));
        Assert.Empty(stream.OnRequest(Ack(rds, "outbound")));

        // v2 gets its first endpoint and 10% of traffic in the same snapshot: its endpoints change, its route must wait.
        var after = Translate(Build(21, $"{Checkout}\n---\n{node}\n---\n{Weights(90, 10)}", Instance("v1", 9001), Instance("v2", 9002)), before);
        var pushed = stream.OnSnapshot(after);
        var edsPush = Assert.Single(pushed);
        Assert.Equal(TypeUrls.Endpoint, edsPush.TypeUrl);

        var routePush = Assert.Single(stream.OnRequest(Ack(edsPush, allClusters)));
        Assert.Equal(TypeUrls.Route, routePush.TypeUrl);
        Assert.Empty(stream.OnRequest(Ack(routePush, "outbound")));
        Assert.Equal(21, stream.ConvergedRevision);
    }

    [Fact]
    public void OnSnapshot_NothingThisProxyHoldsChanged_KeepsOneMapPerType()
    {
        var stream = GrpcClient(Stable);
        const string other = "apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {name: node-9}\nspec: {address: 127.0.0.9}";

        Assert.Empty(stream.OnSnapshot(Translate(Build(12, $"{Checkout}\n---\n{Weights(100, 0)}\n---\n{other}", Instance("v1", 9001), Instance("v2", 9002)), Stable)));

        // What it should hold is what it holds: the same map, not a copy worked out again for the new snapshot.
        Assert.All(TypeUrls.PushOrder, typeUrl =>
        {
            var state = stream.StateOf(typeUrl)!;
            Assert.NotNull(state.Acked);
            Assert.Same(state.Acked, state.Desired);
        });
    }

    [Fact]
    public void OnRequest_NamesOfResourcesInTheSnapshot_AreKeptAsTheSnapshotsOwn()
    {
        var stream = new AdsStreamState("s", Stable);
        var fromTheWire = new[] { new string(V1.AsSpan()), new string(V2.AsSpan()), new string("outbound|8080|v3|checkout".AsSpan()) };
        var request = Request(TypeUrls.Cluster, names: fromTheWire);
        request.Node = new Node { Id = "grpc-client-1" };
        var cds = Assert.Single(stream.OnRequest(request));

        var names = stream.StateOf(TypeUrls.Cluster)!.Names;
        Assert.Same(Stable.Clusters[V1].Name, names.Single(n => n == V1));
        Assert.Same(Stable.Clusters[V2].Name, names.Single(n => n == V2));
        Assert.Contains("outbound|8080|v3|checkout", names); // not in the snapshot: kept as asked

        // An ACK repeating the names leaves the subscription as it was.
        Assert.Empty(stream.OnRequest(Ack(cds, [.. fromTheWire.Select(n => new string(n.AsSpan()))])));
        Assert.Same(Stable.Clusters[V1].Name, stream.StateOf(TypeUrls.Cluster)!.Names.Single(n => n == V1));
    }

    [Fact]
    public void OnRequest_EnvoyWildcardClusters_HoldsTheSnapshotsOwnMap()
    {
        var stream = new AdsStreamState("s", Stable);
        var request = Request(TypeUrls.Cluster);
        request.Node = new Node { Id = "node-1" };
        var cds = Assert.Single(stream.OnRequest(request));
        Assert.Empty(stream.OnRequest(Ack(cds)));

        Assert.Same(Stable.Clusters, stream.StateOf(TypeUrls.Cluster)!.Acked);
    }
}
