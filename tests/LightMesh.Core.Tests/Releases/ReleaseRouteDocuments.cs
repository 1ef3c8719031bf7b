using System.Text.Json;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;
using LightMesh.Testing;

namespace LightMesh.Core.Tests.Releases;

/// <summary>The documents the tests of a release's own routes (header and mirror) read, write and check.</summary>
internal static class ReleaseRouteDocuments
{
    public static ReleaseWorkflowSpec Workflow(string steps) =>
        ((ReleaseWorkflow)Parsed($"apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {{name: w}}\nspec:\n  steps:\n{steps}")[0]).Spec;

    public static List<Document> Parsed(string yaml)
    {
        var result = DocumentParser.Parse(yaml, "t.yaml");
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors.Select(e => $"{e.Path}: {e.Message}")));
        return [.. result.Documents.Select(d => d.Document)];
    }

    /// <summary>The workflow written as a document and read again has the same steps.</summary>
    public static void AssertReadsBackTheSame(ReleaseWorkflowSpec spec)
    {
        var written = DocumentCodec.Write(new ReleaseWorkflow { ApiVersion = "lightmesh.io/v1", Metadata = new ObjectMeta { Name = "w" }, Spec = spec });
        var again = (ReleaseWorkflow)Parsed(YamlText.Write([written]))[0];
        Assert.Equal(JsonSerializer.Serialize(spec.Steps), JsonSerializer.Serialize(again.Spec.Steps));
    }

    /// <summary><paramref name="routes"/> of checkout is valid beside its Service and a rule with the release's subsets.</summary>
    public static void AssertValid(VirtualService routes)
    {
        var documents = Parsed(TestMeshes.Join(TestMeshes.Service(), TestMeshes.Rule("checkout", [new("stable", "v1"), new("canary", "v2")])))
            .Append(routes).Select(d => new SourcedDocument(d, "release")).ToList();
        Assert.Empty(DocumentSetValidator.Validate(documents, complete: true));
    }
}
