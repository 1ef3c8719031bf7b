using System.Text.Json.Nodes;
using LightMesh.Core;
using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;
using LightMesh.Host.Api;

namespace LightMesh.Client;

/// <summary>
/// A typed client of the controller's document API (<c>/api/v1/documents</c>): what <c>apply</c>, <c>get</c> and
/// <c>delete</c> do when a controller is named. Documents travel in the store's JSON shape, read back into the same
/// typed documents the etcd path prints.
/// </summary>
public sealed class DocumentClient(ControllerClient controller) : IDisposable
{
    private static readonly string Root = DocumentEndpoints.Root.TrimStart('/');

    public Uri Server => controller.Server;

    /// <summary>
    /// Validates the documents against the store and writes them all, or none; <paramref name="force"/> overrides running
    /// releases; <paramref name="dryRun"/> answers what would be written, and writes nothing.
    /// </summary>
    public Task<ApiAnswer<DocumentWriteView>> ApplyAsync(IEnumerable<Document> documents, bool force, bool dryRun, CancellationToken cancellationToken) =>
        controller.SendAsync<DocumentWriteView>(
            HttpMethod.Post, Root + Query(("force", force), ("dryRun", dryRun)), new JsonArray(documents.Select(d => (JsonNode)DocumentCodec.Write(d)).ToArray()), cancellationToken);

    public async Task<ApiAnswer<IReadOnlyList<Document>>> ListAsync(DocumentKind kind, CancellationToken cancellationToken)
    {
        var answer = await controller.SendAsync<JsonArray>(HttpMethod.Get, Path(kind), null, cancellationToken);
        return new(answer.Status, answer.Value is { } trees ? Read(trees, $"GET {Path(kind)}") : null, answer.Errors);
    }

    public async Task<ApiAnswer<IReadOnlyList<Document>>> GetAsync(DocumentKind kind, string name, CancellationToken cancellationToken)
    {
        var path = Path(kind, name);
        var answer = await controller.SendAsync<JsonObject>(HttpMethod.Get, path, null, cancellationToken);
        return new(answer.Status, answer.Value is { } tree ? Read(new JsonArray(tree), $"GET {path}") : null, answer.Errors);
    }

    /// <summary>Deletes a document, unless another stored document still needs it or a running release manages it (409).</summary>
    public Task<ApiAnswer<DocumentWriteView>> DeleteAsync(DocumentKind kind, string name, bool force, CancellationToken cancellationToken) =>
        controller.SendAsync<DocumentWriteView>(HttpMethod.Delete, Path(kind, name) + Force(force), null, cancellationToken);

    public void Dispose() => controller.Dispose();

    /// <summary>The query that overrides running releases (<c>?force=true</c>), or none.</summary>
    public static string Force(bool force) => Query(("force", force));

    /// <summary>A query of the flags that are set (<c>?force=true&amp;dryRun=true</c>), or none.</summary>
    private static string Query(params (string Name, bool Set)[] flags) =>
        flags.Any(f => f.Set) ? "?" + string.Join('&', flags.Where(f => f.Set).Select(f => $"{f.Name}=true")) : "";

    private static string Path(DocumentKind kind, string? name = null) =>
        $"{Root}/{DocumentKinds.PluralOf(kind)}{(name is null ? "" : $"/{Uri.EscapeDataString(name)}")}";

    // The controller stores only valid documents, so one the CLI cannot read means the two disagree on a document's
    // shape (different versions): an error, not a document to leave out.
    private static List<Document> Read(JsonArray trees, string where)
    {
        var errors = new List<ValidationError>();
        var documents = trees.Select((tree, i) => DocumentCodec.Read(tree, where, $"document {i + 1}", errors)).OfType<Document>().ToList();
        return errors.Count == 0
            ? documents
            : throw new LightMeshException($"the controller answered documents this lightmesh cannot read: {string.Join("; ", errors)}");
    }
}
