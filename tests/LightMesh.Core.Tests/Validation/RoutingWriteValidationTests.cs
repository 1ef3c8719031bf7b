using CsCheck;
using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;
using LightMesh.Testing;
using static LightMesh.Core.Tests.Validation.GeneratedRouting;

namespace LightMesh.Core.Tests.Validation;

/// <summary>
/// <see cref="DocumentSetValidator.ValidateRoutingWrite"/>, which checks only what a write of VirtualServices and
/// DestinationRules can break, against <see cref="DocumentSetValidator.Validate"/> of the whole set before and after it.
/// </summary>
public sealed class RoutingWriteValidationTests
{
    private const string Stored = "etcd";

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
