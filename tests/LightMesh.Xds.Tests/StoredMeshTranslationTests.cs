using CsCheck;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using LightMesh.Xds.Translation;

namespace LightMesh.Xds.Tests;

/// <summary>
/// The control plane translates whatever etcd holds. Each stored document was valid on its own when the etcd source read
/// it, but values written to etcd by hand are not validated together: two Services of one name (stored under two keys),
/// two DestinationRules or VirtualServices for one host, two Nodes of one name, routes to hosts and subsets that are
/// not there. None of that may stop the translation (it would stop every push); the first of a name or host counts,
/// as it does in the validation of stored documents.
/// </summary>
public sealed class StoredMeshTranslationTests
{
    // alpha-preview is the name of alpha's preview too, while alpha's routes hold one.
    private static readonly string[] Hosts = ["alpha", "bravo", "alpha-preview"];
    private static readonly string[] Subsets = ["v1", "v2"];

    private static readonly Gen<string> Host = Gen.OneOf(Hosts);
    private static readonly Gen<string> Subset = Gen.OneOf(Subsets);

    private static readonly Gen<string> Route = Gen.OneOf(
        Gen.Select(Host, Subset, Gen.Bool, (host, subset, whole) => TestMeshes.To(host, whole ? null : subset)),
        Gen.Select(Host, Gen.Int[0, 100], (host, weight) => TestMeshes.Split(host, ("v1", 100 - weight), ("v2", weight))),
        Gen.Select(Host, Subset, (host, subset) => TestMeshes.Match(host, subset)),
        Gen.Select(Host, host => TestMeshes.To(host, "v2", ReleaseTraffic.RouteName(ReleaseStrategies.PreviewRoute))));

    private static readonly Gen<string> Document = Gen.OneOf(
        Gen.Select(Host, Gen.OneOf(8080, 9090), (name, port) => TestMeshes.Service(name, port)),
        Gen.Select(Host, Gen.Int[0, 2], Gen.Int[1, 3], (host, name, subsets) =>
            TestMeshes.Rule(host, [.. Subsets.Where((_, i) => (subsets & (1 << i)) != 0).Select(s => (TestMeshes.Subset)s)], name: $"rule-{name}")),
        Gen.Select(Host.Array[1, 3], Route.Array[1, 3], Gen.Int[0, 2], (hosts, routes, name) =>
            VirtualService([.. hosts.Distinct(StringComparer.Ordinal)], routes, $"routes-{name}")),
        Gen.Select(Gen.Int[1, 2], Gen.Int[1, 9], (node, address) =>
            $"apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {{name: node-{node}}}\nspec: {{address: 127.0.0.{address}, proxyPort: 150{address:D2}}}"));

    private static readonly Gen<Instance> Instances = Gen.Select(Gen.OneOf(Host, Gen.Const("ghost")), Subset, Gen.Int[1, 4], (service, version, n) => new Instance
    {
        Service = service, Id = $"{service}-{version}-{n}", Version = version, Address = "127.0.0.1", Port = 10000 + n,
        Labels = new Dictionary<string, string> { ["version"] = version },
    });

    /// <summary>
    /// Any stored mesh translates, first and again from its own translation, and each service's resources are built
    /// from the first Service of its name, the first DestinationRule of its host and the first VirtualService listing it;
    /// each Node's listener from the first Node of its name.
    /// </summary>
    [Fact]
    public void Translate_AnyStoredMesh_TakesTheFirstOfEachNameAndHost()
    {
        Gen.Select(Document.List[0, 12], Instances.List[0, 6]).Sample((yaml, instances) =>
        {
            var documents = yaml.Select(Parse).ToList();
            var mesh = new MeshSnapshot(
                [.. documents.OfType<MeshService>()], [.. documents.OfType<VirtualService>()], [.. documents.OfType<DestinationRule>()],
                instances, [.. documents.OfType<MeshNode>()], 7);

            var first = MeshTranslator.Translate(mesh, XdsSnapshot.Empty);
            var again = MeshTranslator.Translate(mesh with { Revision = 8 }, first);

            foreach (var snapshot in new[] { first, again })
            {
                Assert.Equal(Hosts.Where(h => mesh.Services.Any(s => s.Name == h)).Order(StringComparer.Ordinal), snapshot.Translations.Keys.Order(StringComparer.Ordinal));
                foreach (var (name, translation) in snapshot.Translations)
                {
                    Assert.Same(mesh.Services.First(s => s.Name == name), translation.Service);
                    Assert.Same(mesh.DestinationRules.FirstOrDefault(r => r.Spec.Host == name), translation.Rule);
                    Assert.Same(mesh.VirtualServices.FirstOrDefault(vs => vs.Spec.Hosts.Contains(name)), translation.Routing);
                }

                var nodes = mesh.Nodes.DistinctBy(n => n.Name).ToList();
                Assert.Equal(nodes.Select(n => n.Name).Order(StringComparer.Ordinal), snapshot.SidecarListeners.Keys.Order(StringComparer.Ordinal));
                Assert.All(nodes, n => Assert.Equal(ListenerPort(n), ListenerPort(snapshot.SidecarListeners[n.Name])));
            }
        }, iter: 500);
    }

    private static uint ListenerPort(MeshNode node) => (uint)node.Spec.EffectiveProxyPort;

    private static uint ListenerPort(XdsResource listener) =>
        ((Envoy.Config.Listener.V3.Listener)listener.Message).Address.SocketAddress.PortValue;

    /// <summary>A VirtualService for every host in <paramref name="hosts"/> (each once, as a stored one must list them).</summary>
    private static string VirtualService(IReadOnlyList<string> hosts, IReadOnlyList<string> routes, string name) =>
        TestMeshes.VirtualService(string.Join(", ", hosts), routes, name);

    private static Document Parse(string yaml)
    {
        var result = DocumentParser.Parse(yaml, "stored.yaml");
        Assert.True(result.Errors.Count == 0, $"{yaml}\n{string.Join("\n", result.Errors)}");
        return result.Documents.Single().Document;
    }
}
