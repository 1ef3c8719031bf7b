using Envoy.Config.Endpoint.V3;
using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Etcd;
using LightMesh.Testing;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// Values written to etcd by hand (etcdctl, a restore, a script) are read one by one, not validated together. Whatever
/// they claim, the control plane goes on pushing: a host's first DestinationRule and VirtualService count, as in the
/// validation of what is stored.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class HandWrittenValuesTests(EtcdFixture etcd)
{
    [Fact]
    public async Task ValuesThatTakeANameOrHostTwice_DoNotStopThePushes()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await harness.RegisterAsync("checkout", "v1", 9311);
        await harness.RegisterAsync("checkout", "v2", 9312);

        // A second rule and second routes for checkout (all traffic to v1, and payments' too), a second Service named
        // checkout, and a second Node named node-1, each under a key of its own, written one after the other.
        foreach (var (kind, key, yaml) in new[]
        {
            (DocumentKind.Node, "node-1", Node(1)),
            (DocumentKind.DestinationRule, "checkout-again", TestMeshes.Rule("checkout", ["v1"], name: "checkout-again")),
            (DocumentKind.VirtualService, "checkout-again", TestMeshes.VirtualService("checkout, payments", [TestMeshes.To("checkout", "v1")], name: "checkout-again")),
            (DocumentKind.Service, "checkout-again", TestMeshes.Service("checkout", 9999, "grpc")),
            (DocumentKind.Node, "node-1-again", Node(2)),
        })
        {
            var document = DocumentParser.Parse(yaml, "by-hand.yaml").Documents.Single().Document;
            await new GuardedTxn().Put(harness.Etcd.Keys.Document(kind, key), DocumentCodec.Write(document).ToJsonString()).CommitAsync(harness.Etcd, default);
        }

        // What the control plane serves once it has read them all and an instance registered after them. (A release's
        // write would be refused while they are stored: it is validated with everything stored.)
        await harness.RegisterAsync("payments", "v1", 9313);
        var snapshot = await Poll.UntilAsync(
            () => Task.FromResult(harness.Server.Registry.Current),
            s => s.Endpoints.TryGetValue("outbound|9090||payments", out var endpoints) && ((ClusterLoadAssignment)endpoints.Message).Endpoints.Count > 0,
            TimeSpan.FromSeconds(10),
            "a snapshot with payments' instance");
        var checkout = snapshot.Translations["checkout"];
        Assert.Equal("checkout", checkout.Rule!.Name);
        Assert.Equal("checkout", checkout.Routing!.Name);
        Assert.Equal(8080, checkout.Service.Spec.Port);
        Assert.Equal("checkout-again", snapshot.Translations["payments"].Routing!.Name);
        var sidecar = Assert.Single(snapshot.SidecarListeners.Values);
        Assert.Equal(15001u, ((Envoy.Config.Listener.V3.Listener)sidecar.Message).Address.SocketAddress.PortValue);
    }

    [Fact]
    public async Task RoutesWrittenByHandForAHostThatHasThem_TheFirstInKeyOrderCounts_AsInARead_AndAfterARestart()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await harness.RegisterAsync("checkout", "v1", 9331);

        // checkout's routes are the VirtualService named checkout; a second one for checkout comes later, by hand, under
        // a key that sorts before it. Key order decides which counts, as in a read from etcd, not the order they came in.
        var document = DocumentParser.Parse(TestMeshes.VirtualService("checkout", [TestMeshes.To("checkout", "v1")], name: "a-checkout"), "by-hand.yaml").Documents.Single().Document;
        var (_, written) = await new GuardedTxn().Put(harness.Etcd.Keys.Document(DocumentKind.VirtualService, "a-checkout"), DocumentCodec.Write(document).ToJsonString()).CommitAsync(harness.Etcd, default);
        var served = await Poll.UntilAsync(
            () => Task.FromResult(harness.Server.Registry.Current), s => s.Revision >= written, TimeSpan.FromSeconds(10), "a snapshot with the routes written by hand");

        Assert.Equal("a-checkout", served.Translations["checkout"].Routing!.Name);
        Assert.Equal("a-checkout", (await harness.Store.ReadAsync(default)).RoutesOf("checkout")!.Name);
        Assert.Equal("a-checkout", harness.Server.Source.Documents()!.RoutesOf("checkout")!.Name);

        await harness.StopServerAsync();
        await harness.StartServerAsync();
        var restarted = await Poll.UntilAsync(
            () => Task.FromResult(harness.Server.Registry.Current), s => s.Revision >= written, TimeSpan.FromSeconds(10), "a snapshot after the restart");
        Assert.Equal("a-checkout", restarted.Translations["checkout"].Routing!.Name);
    }

    private static string Node(int n) =>
        $"apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {{name: node-1}}\nspec: {{address: 127.0.0.{n}, proxyPort: {15000 + n}}}";
}
