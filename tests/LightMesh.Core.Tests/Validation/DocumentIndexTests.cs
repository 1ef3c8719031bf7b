using CsCheck;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Validation;
using LightMesh.Testing;
using static LightMesh.Core.Tests.Validation.GeneratedRouting;

namespace LightMesh.Core.Tests.Validation;

/// <summary>
/// <see cref="DocumentIndex"/>: its lookups against going through every document, and an index that follows an earlier
/// one (<see cref="DocumentIndex.Following"/>) against one built anew.
/// </summary>
public sealed class DocumentIndexTests
{
    [Fact]
    public void DocumentIndex_AnyStoredSet_FindsWhatGoingThroughEveryDocumentFinds() =>
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var stored = StoredSet(new Random(seed));
            var index = new DocumentIndex(stored);
            foreach (var host in Hosts)
            {
                Assert.True(ReferenceEquals(ServiceRules.RoutesOf(stored, host), index.RoutesOf(host)), $"seed {seed}: routes of {host}");
                Assert.True(ReferenceEquals(ServiceRules.RuleOf(stored, host), index.RuleOf(host)), $"seed {seed}: rule of {host}");
            }

            Assert.All(stored, d => Assert.Same(stored.First(f => f.Kind == d.Kind && f.Name == d.Name), index.Documents[index.PositionOf(d.Kind, d.Name)]));
            Assert.Equal(-1, index.PositionOf(DocumentKind.VirtualService, "not-stored"));
            Assert.All(DocumentKinds.All, kind => Assert.Equal(Enumerable.Range(0, stored.Count).Where(i => stored[i].Kind == kind), index.PositionsOf(kind)));
        }, iter: 200);

    /// <summary>
    /// Generated stored sets changed several times in a row as a controller's copy of etcd changes (documents replaced at
    /// their places by others of the same kind and name, documents added among or after them), and now and then in a way an index
    /// cannot follow (a document removed, two swapped, a name added twice): after each change, the index that followed the
    /// last one finds exactly what one built anew finds (CsCheck prints the seed of a failing case).
    /// </summary>
    [Fact]
    public void Following_AnyChangesInARow_FindsWhatAnIndexBuiltAnewFinds() =>
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var random = new Random(seed);
            var documents = StoredSet(random);
            var index = new DocumentIndex(documents);
            for (var change = 0; change < 6; change++)
            {
                documents = Changed(random, documents, change);
                index = index.Following(documents);
                AssertFindsTheSame(new DocumentIndex(documents), index, $"seed {seed}, change {change}");
            }
        }, iter: 300);

    [Fact]
    public void Following_OneVirtualServiceReplaced_ListsAgainOnlyTheHostsItNames()
    {
        List<Document> stored = [.. new[] { "s0", "s1" }.SelectMany(s => new[]
        {
            Parsed(TestMeshes.Service(s)), Parsed(TestMeshes.Rule(s, ["v1", "v2"])), Parsed(TestMeshes.DefaultRoute(s, "v1")),
        })];
        var index = new DocumentIndex(stored);
        var canary = Parsed(TestMeshes.CanaryRoutes("s0", 90, 10));
        List<Document> after = [.. stored];
        after[stored.FindIndex(d => d is VirtualService { Name: "s0" })] = canary;

        var followed = index.Following(after);

        Assert.Same(canary, followed.RoutesOf("s0"));
        Assert.Same(canary, Assert.Single(followed.SendingTo("s0")));
        Assert.Same(index.World.RoutedBy("s1"), followed.World.RoutedBy("s1"));
        Assert.Same(index.SendingTo("s1"), followed.SendingTo("s1"));
        Assert.Same(index.RulesFor("s0"), followed.RulesFor("s0"));
        Assert.Same(index.World.Services, followed.World.Services);
        Assert.Equal(index.PositionOf(DocumentKind.VirtualService, "s0"), followed.PositionOf(DocumentKind.VirtualService, "s0"));
    }

    /// <summary>
    /// <paramref name="documents"/> after one generated change: up to three documents replaced at their places (routing
    /// by other generated routing, a Service by one on another port, anything else by a copy), up to two added, half the
    /// time after them and half among them (routing, a Service, a Node, an AnalysisTemplate or a ReleaseWorkflow, one in
    /// six with a name already taken), and
    /// one time in eight a document removed or two swapped.
    /// </summary>
    private static List<Document> Changed(Random random, List<Document> documents, int change)
    {
        List<Document> changed = [.. documents];
        for (var i = random.Next(0, 4); i > 0 && changed.Count > 0; i--)
        {
            var at = random.Next(changed.Count);
            changed[at] = changed[at] switch
            {
                VirtualService vs => Routes(random, vs.Name),
                DestinationRule dr => Rule(random, dr.Name),
                MeshService service => Parsed(TestMeshes.Service(service.Name, port: 8000 + random.Next(1000))),
                var other => other with { },
            };
        }

        for (var i = random.Next(0, 3); i > 0; i--)
        {
            var name = random.Next(6) == 0 && changed.Count > 0 ? changed[random.Next(changed.Count)].Name : $"n{change}-{i}";
            changed.Insert(random.Next(2) == 0 ? changed.Count : random.Next(changed.Count + 1), random.Next(7) switch
            {
                0 => Routes(random, name),
                1 => Rule(random, name),
                2 => Parsed(TestMeshes.Service(random.Next(2) == 0 ? Pick(random, Hosts) : name)),
                3 => Parsed($"apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {{name: {name}}}\nspec: {{address: 127.0.0.1}}\n"),
                4 => Parsed(TestMeshes.ErrorsTemplate(name)),
                5 => Parsed(TestMeshes.Workflow(name, "  - deploy: {}\n  - setWeight: 10\n  - promote: {}\n")),
                _ => Routes(random),
            });
        }

        if (random.Next(8) == 0 && changed.Count > 1)
        {
            if (random.Next(2) == 0)
            {
                changed.RemoveAt(random.Next(changed.Count));
            }
            else
            {
                var (a, b) = (random.Next(changed.Count), random.Next(changed.Count));
                (changed[a], changed[b]) = (changed[b], changed[a]);
            }
        }

        return changed;
    }

    private static void AssertFindsTheSame(DocumentIndex expected, DocumentIndex actual, string context)
    {
        Assert.True(expected.Documents.SequenceEqual(actual.Documents, ReferenceEqualityComparer.Instance), $"{context}: documents");
        foreach (var document in expected.Documents.Append(Parsed(TestMeshes.Service("not-stored"))))
        {
            Assert.True(expected.PositionOf(document.Kind, document.Name) == actual.PositionOf(document.Kind, document.Name), $"{context}: position of {document.Kind} {document.Name}");
        }

        foreach (var kind in DocumentKinds.All)
        {
            Assert.True(expected.PositionsOf(kind).SequenceEqual(actual.PositionsOf(kind)), $"{context}: positions of {kind}: [{string.Join(", ", expected.PositionsOf(kind))}] expected, [{string.Join(", ", actual.PositionsOf(kind))}] found");
        }

        var hosts = Hosts.Concat(expected.Documents.Select(d => d.Name)).Distinct();
        foreach (var host in hosts)
        {
            AssertSame(expected.World.RoutedBy(host), actual.World.RoutedBy(host), $"{context}: VirtualServices of {host}");
            AssertSame(expected.RulesFor(host), actual.RulesFor(host), $"{context}: DestinationRules of {host}");
            AssertSame(expected.SendingTo(host), actual.SendingTo(host), $"{context}: VirtualServices sending to {host}");
            Assert.True(ReferenceEquals(expected.RuleOf(host), actual.RuleOf(host)), $"{context}: rule of {host}");
            Assert.True(ReferenceEquals(expected.RoutesOf(host), actual.RoutesOf(host)), $"{context}: routes of {host}");
        }

        AssertSame(expected.World.Services, actual.World.Services, $"{context}: Services");
        AssertSame(expected.World.Templates, actual.World.Templates, $"{context}: AnalysisTemplates");
        AssertSame(expected.World.Workflows, actual.World.Workflows, $"{context}: ReleaseWorkflows");
        Assert.True(expected.World.Nodes.SetEquals(actual.World.Nodes), $"{context}: Nodes");
    }

    private static void AssertSame<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what)
        where T : Document =>
        Assert.True(expected.SequenceEqual(actual, ReferenceEqualityComparer.Instance), $"{what}: [{Names(expected)}] expected, [{Names(actual)}] found");

    private static void AssertSame<T>(Dictionary<string, T> expected, Dictionary<string, T> actual, string what)
        where T : Document =>
        Assert.True(
            expected.Count == actual.Count && expected.All(e => actual.TryGetValue(e.Key, out var found) && ReferenceEquals(found, e.Value)),
            $"{what}: [{string.Join(", ", expected.Keys.Order())}] expected, [{string.Join(", ", actual.Keys.Order())}] found");

    private static string Names<T>(IEnumerable<T> documents)
        where T : Document => string.Join(", ", documents.Select(d => $"{d.Name}@{d.GetHashCode():x}"));
}
