using LightMesh.Core;
using LightMesh.Core.Parsing;
using LightMesh.Etcd.Documents;

namespace LightMesh.Cli.Commands;

/// <summary>Documents the CLI writes itself (a benchmark's services, the demo's mesh), straight to etcd.</summary>
internal static class DocumentText
{
    /// <summary>Parses <paramref name="yaml"/> and writes it all in one guarded transaction; throws naming <paramref name="what"/> and every error if that fails.</summary>
    public static async Task ApplyAsync(DocumentStore store, string yaml, string what, CancellationToken cancellationToken)
    {
        var parsed = DocumentParser.Parse(yaml, what);
        var written = parsed.IsValid ? await store.ApplyAsync(parsed.Documents, cancellationToken) : null;
        if (written?.Outcome != WriteOutcome.Applied)
        {
            throw new LightMeshException($"could not write {what}: {string.Join("; ", parsed.Errors.Concat(written?.Errors ?? []))} {written?.Message}");
        }
    }
}
