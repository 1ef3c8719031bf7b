using CsCheck;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;
using LightMesh.Testing;

namespace LightMesh.Core.Tests.Validation;

/// <summary>
/// <see cref="DocumentSetValidator.ValidateRoutingWrite"/>, which checks only what a write of VirtualServices and
/// DestinationRules can break, against <see cref="DocumentSetValidator.Validate"/> of the whole set before and after it.
/// </summary>
public sealed class RoutingWriteValidationTests
{
    private const string Stored = "etcd";

    private static readonly string[] Hosts = ["s0", "s1", "s2", "s3", "ghost"];
    private static readonly string?[] Subsets = [null, "v1", "v2", "canary", "v9"];

    /// <summary>
    /// Generated stored documents (Services, and VirtualServices and DestinationRules, some broken, some naming one host
    /// twice) and a generated write of one to three VirtualServices and DestinationRules, new or replacing stored ones
    /// (CsCheck prints the seed of a failing case): every error it reports is one the whole validation after the write
    /// reports; every error the whole validation reports after the write and not before is among them; so on a valid
    /// stored set, both say the same.
    /// </summary>
    [Fact]
    public void ValidateRoutingWrite_AnyStoredSetAndWrite_FindsEveryErrorTheWriteBringsAndNoOtherThanTheWholeValidation()
    {
        var checkedValid = 0;
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var random = new Random(seed);
            var stored = StoredSet(random);
            var written = Enumerable.Range(0, random.Next(1, 4))
                .Select(i => new SourcedDocument(random.Next(2) == 0 ? Routes(random) : Rule(random), $"write-{i}.yaml"))
                .ToList();

            var before = DocumentSetValidator.Validate([.. stored.Select(d => new SourcedDocument(d, Stored))], complete: true);
            var names = written.Select(w => (w.Document.Kind, w.Document.Name)).ToHashSet();
            var after = DocumentSetValidator.Validate(
                [.. stored.Where(d => !names.Contains((d.Kind, d.Name))).Select(d => new SourcedDocument(d, Stored)), .. written], complete: true);
            var scoped = DocumentSetValidator.ValidateRoutingWrite(new DocumentIndex(stored), Stored, written);

            Assert.NotNull(scoped);
            var context = $"seed {seed}\nbefore: {Show(before)}\nafter: {Show(after)}\nscoped: {Show(scoped)}";
            Assert.True(Minus(scoped, after).Count == 0, $"reported what the whole validation does not: {Show(Minus(scoped, after))}\n{context}");
            Assert.True(Minus(Minus(after, before), scoped).Count == 0, $"missed what the write brings: {Show(Minus(Minus(after, before), scoped))}\n{context}");
            if (before.Count == 0)
            {
                checkedValid++;
                Assert.True(scoped.Count == after.Count, context);
            }
        }, iter: 400, threads: 1);

        Assert.True(checkedValid > 20, $"only {checkedValid} generated stored sets were valid");
    }

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
        }, iter: 200);

    [Fact]
    public void ValidateRoutingWrite_AWriteOfAnotherKind_IsLeftToTheWholeValidation()
    {
        var stored = Parse(TestMeshes.Service("s0"), TestMeshes.Rule("s0", ["v1"]));

        Assert.Null(DocumentSetValidator.ValidateRoutingWrite(
            new DocumentIndex([.. stored.Select(d => d.Document)]), Stored, [.. Parse(TestMeshes.Service("s1")), .. Parse(TestMeshes.DefaultRoute("s0", "v1"))]));
    }

    [Fact]
    public void ValidateRoutingWrite_ABrokenDocumentTheWriteDoesNotTouch_IsNotReported()
    {
        // s1's route names a subset its rule lacks: broken before the write, and the write (s0's routes) cannot change it.
        var stored = Parse(
            TestMeshes.Service("s0"), TestMeshes.Service("s1"), TestMeshes.Rule("s0", ["v1", "v2"]), TestMeshes.Rule("s1", ["v1"]),
            TestMeshes.DefaultRoute("s1", "v9"));

        var index = new DocumentIndex([.. stored.Select(d => d.Document)]);
        var scoped = DocumentSetValidator.ValidateRoutingWrite(
            index, Stored, Parse(TestMeshes.CanaryRoutes("s0", 90, 10)));
        var broken = DocumentSetValidator.ValidateRoutingWrite(
            index, Stored, Parse(TestMeshes.DefaultRoute("s0", "v3")));

        Assert.Empty(scoped!);
        Assert.Equal(["spec.http[0].route[0].destination.subset"], broken!.Select(e => e.Path));
        Assert.Equal("test.yaml", broken![0].Source);
    }

    private static List<Document> StoredSet(Random random)
    {
        var documents = new List<Document>();
        foreach (var host in Hosts.Take(4))
        {
            documents.Add(Parsed(TestMeshes.Service(host, port: host == "s3" ? 9090 : 8080)));
        }

        for (var i = random.Next(0, 7); i > 0; i--)
        {
            documents.Add(random.Next(2) == 0 ? Routes(random) : Rule(random));
        }

        // Stored keys are unique by kind and name: the first of a name stays.
        return documents.DistinctBy(d => (d.Kind, d.Name)).ToList();
    }

    /// <summary>A VirtualService of one or two hosts (one in six names another rule's host too) and one or two routes, some with a mirror.</summary>
    private static Document Routes(Random random)
    {
        var hosts = Enumerable.Range(0, random.Next(1, 3)).Select(_ => Pick(random, Hosts)).Distinct().ToList();
        var routes = Enumerable.Range(0, random.Next(1, 3)).Select(r =>
        {
            var mirror = random.Next(4) == 0 ? $", mirror: {{{Destination(random)}}}" : "";
            return $"  - {{name: r{r}, route: [{{destination: {{{Destination(random)}}}}}]{mirror}}}";
        });
        var name = hosts[0] + (random.Next(6) == 0 ? "-extra" : "");
        return Parsed($$"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: {{name}}}
            spec:
              hosts: [{{string.Join(", ", hosts)}}]
              http:
            {{string.Join("\n", routes)}}
            """);
    }

    /// <summary>A DestinationRule of a host with some of v1, v2 and canary; one in six is a second rule of its host.</summary>
    private static Document Rule(Random random)
    {
        var host = Pick(random, Hosts);
        var subsets = new[] { "v1", "v2", "canary" }.Where(_ => random.Next(3) > 0).Select(s => (TestMeshes.Subset)s).ToList();
        return Parsed(TestMeshes.Rule(host, subsets.Count == 0 ? ["v1"] : subsets, name: random.Next(6) == 0 ? $"{host}-extra" : host));
    }

    private static string Destination(Random random)
    {
        var subset = Pick(random, Subsets);
        var port = random.Next(5) switch { 0 => ", port: {number: 8080}", 1 => ", port: {number: 9090}", _ => "" };
        return $"host: {Pick(random, Hosts)}{(subset is null ? "" : $", subset: {subset}")}{port}";
    }

    private static T Pick<T>(Random random, T[] choices) => choices[random.Next(choices.Length)];

    private static Document Parsed(string yaml) => Parse(yaml)[0].Document;

    private static List<SourcedDocument> Parse(params string[] yaml)
    {
        var result = DocumentParser.Parse(TestMeshes.Join(yaml), "test.yaml");
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors) + "\n" + TestMeshes.Join(yaml));
        return [.. result.Documents];
    }

    /// <summary>The errors of <paramref name="from"/> left once each of <paramref name="taken"/> has taken one equal to it.</summary>
    private static List<ValidationError> Minus(IReadOnlyList<ValidationError> from, IReadOnlyList<ValidationError> taken)
    {
        var left = from.ToList();
        foreach (var error in taken)
        {
            left.Remove(error);
        }

        return left;
    }

    private static string Show(IEnumerable<ValidationError> errors) => string.Join(" | ", errors.Select(e => $"{e.Source} {e.Document} {e.Path}: {e.Message}"));
}
