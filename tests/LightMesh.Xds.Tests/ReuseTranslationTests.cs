using CsCheck;
using Google.Protobuf.WellKnownTypes;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using LightMesh.Xds.Translation;

namespace LightMesh.Xds.Tests;

/// <summary>
/// A translation reuses what it built for the services that did not change. Whatever the changes, that reuse must not
/// show: a run of translations, each from the one before, gives the very resources the same run gives when nothing is
/// reused (only the last good routes are carried over, as they decide what is held back).
/// </summary>
public sealed class ReuseTranslationTests
{
    private static readonly string[] Names = ["alpha", "bravo", "charlie", "delta"];
    private static readonly string[] Versions = ["v1", "v2"];
    private static readonly IReadOnlyDictionary<string, ServiceTranslation> NoTranslations = new Dictionary<string, ServiceTranslation>();
    private static readonly IReadOnlyDictionary<string, XdsResource> NoRoutes = new Dictionary<string, XdsResource>();

    /// <summary>One change to the mesh: which kind, to which service, and a number that picks the rest.</summary>
    private sealed record Change(int Kind, int Service, int Pick);

    /// <summary>
    /// The mesh as the etcd source keeps it: a changed document is a new object, an unchanged one stays the very same
    /// object from one snapshot to the next.
    /// </summary>
    private sealed class Mesh
    {
        private readonly Dictionary<string, MeshService> _services = Names.ToDictionary(n => n, n => Parse<MeshService>(TestMeshes.Service(n, 8080)));
        private readonly Dictionary<string, DestinationRule> _rules = [];
        private readonly Dictionary<string, VirtualService> _routes = [];
        private readonly Dictionary<string, Instance> _instances = [];
        private long _revision = 1;

        public MeshSnapshot Snapshot() => new(
            [.. _services.Values], [.. _routes.Values], [.. _rules.Values], [.. _instances.Values], [], _revision);

        public void Apply(Change change)
        {
            _revision++;
            var name = Names[change.Service];
            var pick = change.Pick;
            switch (change.Kind)
            {
                case 0:
                    _services[name] = Parse<MeshService>(TestMeshes.Service(name, pick % 2 == 0 ? 8080 : 9090));
                    break;
                case 1 when pick % 4 == 0:
                    _rules.Remove(name);
                    break;
                case 1:
                    _rules[name] = Parse<DestinationRule>(TestMeshes.Rule(name, pick % 4 == 1 ? ["v1"] : ["v1", "v2"], name: $"{name}-rule"));
                    break;
                case 2 when pick % 5 == 0:
                    _routes.Remove(name);
                    break;
                case 2:
                    _routes[name] = Parse<VirtualService>(TestMeshes.VirtualService(name, Routes(name, pick), name: $"{name}-routes"));
                    break;
                default:
                    var id = $"{name}-{Versions[pick % 2]}";
                    if (!_instances.Remove(id))
                    {
                        _instances[id] = new Instance
                        {
                            Service = name, Id = id, Version = Versions[pick % 2], Address = "127.0.0.1", Port = 10000 + (change.Service * 10) + (pick % 2),
                            Labels = new Dictionary<string, string> { ["version"] = Versions[pick % 2] },
                        };
                    }

                    break;
            }
        }

        /// <summary>
        /// Routes picked by <paramref name="pick"/>: a weighted split of the service's own subsets, a route to another
        /// service, a header route, and a release's preview route.
        /// </summary>
        private static List<string> Routes(string name, int pick)
        {
            var other = Names[pick % Names.Length];
            var weight = pick % 101;
            var routes = new List<string>();
            if (pick % 3 == 0)
            {
                routes.Add(TestMeshes.Match(name, "v2"));
            }

            if (pick % 7 == 0)
            {
                routes.Add(TestMeshes.To(name, "v2", ReleaseTraffic.RouteName(ReleaseStrategies.PreviewRoute)));
            }

            routes.Add(pick % 2 == 0 ? TestMeshes.Split(name, ("v1", 100 - weight), ("v2", weight)) : TestMeshes.To(other));
            return routes;
        }
    }

    private static T Parse<T>(string yaml)
        where T : Core.Documents.Document
    {
        var result = DocumentParser.Parse(yaml, "generated.yaml");
        Assert.Empty(result.Errors);
        return Assert.IsType<T>(result.Documents.Single().Document);
    }

    [Fact]
    public void Translate_AnyRunOfChanges_GivesWhatTheRunGivesWithoutReuse()
    {
        var change = Gen.Select(Gen.Int[0, 3], Gen.Int[0, Names.Length - 1], Gen.Int[0, 1000], (kind, service, pick) => new Change(kind, service, pick));
        change.Array[1, 25].Sample(changes =>
        {
            var mesh = new Mesh();
            var reused = MeshTranslator.Translate(mesh.Snapshot(), XdsSnapshot.Empty);
            var fresh = reused;
            foreach (var next in changes)
            {
                mesh.Apply(next);
                var snapshot = mesh.Snapshot();
                reused = MeshTranslator.Translate(snapshot, reused);
                fresh = MeshTranslator.Translate(snapshot, fresh with { Translations = NoTranslations, Routes = NoRoutes });
                AssertSame(fresh, reused, next);
            }
        }, iter: 300);
    }

    private static void AssertSame(XdsSnapshot expected, XdsSnapshot actual, Change after)
    {
        var at = $"after {after}";
        foreach (var (kind, want, got) in new[]
        {
            ("clusters", expected.Clusters, actual.Clusters), ("endpoints", expected.Endpoints, actual.Endpoints),
            ("routes", expected.Routes, actual.Routes), ("api listeners", expected.ApiListeners, actual.ApiListeners),
            ("sidecar listeners", expected.SidecarListeners, actual.SidecarListeners),
        })
        {
            Assert.True(want.Keys.Order(StringComparer.Ordinal).SequenceEqual(got.Keys.Order(StringComparer.Ordinal)), $"{kind} {at}: {string.Join(",", want.Keys)} / {string.Join(",", got.Keys)}");
            foreach (var (name, resource) in got)
            {
                Assert.True(resource.Packed.Value.Equals(want[name].Packed.Value), $"{kind} {name} differs {at}");
                Assert.True(resource.Packed.Equals(Any.Pack(resource.Message)), $"{kind} {name}: its packed bytes are not its message's, {at}");
            }
        }

        Assert.Equal(expected.Problems, actual.Problems);
        Assert.Equal(expected.Previews.OrderBy(p => p.Key), actual.Previews.OrderBy(p => p.Key));
        Assert.Equal(
            expected.Routes.ToDictionary(r => r.Key, r => r.Value.Hosts!.SelectMany(h => h.TrafficClusters).Order(StringComparer.Ordinal).ToList()),
            actual.Routes.ToDictionary(r => r.Key, r => r.Value.Hosts!.SelectMany(h => h.TrafficClusters).Order(StringComparer.Ordinal).ToList()));
    }
}
