using System.Security.Claims;
using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Documents;
using LightMesh.Host.Hooks;
using LightMesh.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using LightMesh.Releases.Requests;

namespace LightMesh.Host.Api;

/// <summary>
/// The document endpoints under <c>/api/v1/documents</c>, the HTTP face of <c>lightmesh apply|get|delete</c> over the
/// same store: apply (YAML or JSON, one or many documents, all or none), list and get per kind, delete. Reading needs
/// a viewer; changing, an admin. Changes go through <see cref="DocumentWrites"/>: what a running release manages is a
/// 409 naming the release and each field, unless <c>?force=true</c>, which pauses the release in the token holder's name.
/// </summary>
public static class DocumentEndpoints
{
    public const string Root = "/api/v1/documents";

    /// <summary>The largest body <c>apply</c> takes: the largest file the parser reads.</summary>
    public const int MaxApplyBytes = DocumentLimits.MaxBytes;

    public static RouteGroupBuilder MapDocumentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Root);
        group.MapGet("/{kind}", ListAsync).RequireAuthorization(Roles.Viewer);
        group.MapGet("/{kind}/{name}", GetAsync).RequireAuthorization(Roles.Viewer);
        group.MapPost("/", ApplyAsync).RequireAuthorization(Roles.Admin);
        group.MapDelete("/{kind}/{name}", DeleteAsync).RequireAuthorization(Roles.Admin);
        return group;
    }

    private static async Task<IResult> ListAsync(string kind, DocumentStore store, ClaimsPrincipal user, CancellationToken ct) =>
        DocumentKinds.TryParse(kind, out var parsed)
            ? Results.Json((await store.ListAsync(parsed, ct)).Select(d => DocumentCodec.Write(AsSeenBy(user, d))).ToList())
            : UnknownKind(kind);

    private static async Task<IResult> GetAsync(string kind, string name, DocumentStore store, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!DocumentKinds.TryParse(kind, out var parsed))
        {
            return UnknownKind(kind);
        }

        return await store.GetAsync(parsed, name, ct) is { } document
            ? Results.Json(DocumentCodec.Write(AsSeenBy(user, document)))
            : Problems.NotFound($"{parsed}/{name} not found");
    }

    /// <summary>
    /// A document in full for an admin, who may change it (and reads it back to do so); with its credentials redacted
    /// (notification and webhook URLs, webhook headers) for a viewer or an operator.
    /// </summary>
    private static Document AsSeenBy(ClaimsPrincipal user, Document document) =>
        user.FindFirst(ClaimTypes.Role)?.Value is { } role && Roles.Grants(role, Roles.Admin) ? document : Redaction.Document(document);

    private static async Task<IResult> ApplyAsync(HttpRequest request, DocumentWrites writes, ClaimsPrincipal user, bool? force, bool? dryRun, CancellationToken ct)
    {
        // Read as bytes, not text: the parser refuses a body that is not UTF-8 rather than reading it with replacements.
        var body = await HookBody.ReadAsync(request, MaxApplyBytes, ct);
        if (body is null)
        {
            return Problems.Of(StatusCodes.Status413PayloadTooLarge, [$"body: larger than {MaxApplyBytes} bytes"]);
        }

        var parsed = DocumentParser.Parse(body, "body");
        if (!parsed.IsValid)
        {
            return Problems.BadRequest([.. parsed.Errors.Select(e => e.ToString())]);
        }

        if (parsed.Documents.Count == 0)
        {
            return Problems.BadRequest("body: no documents");
        }

        return dryRun == true
            ? Answer(await writes.PreviewApplyAsync(parsed.Documents, Writer(user, force), ct))
            : Answer(await writes.ApplyAsync(parsed.Documents, Writer(user, force), ct));
    }

    private static async Task<IResult> DeleteAsync(string kind, string name, DocumentWrites writes, ClaimsPrincipal user, bool? force, CancellationToken ct)
    {
        if (!DocumentKinds.TryParse(kind, out var parsed))
        {
            return UnknownKind(kind);
        }

        // A document another one still needs is a conflict with what is stored, not a malformed request.
        var result = await writes.DeleteAsync(parsed, name, Writer(user, force), ct);
        return result.Outcome == WriteOutcome.Invalid
            ? Problems.Of(StatusCodes.Status409Conflict, [.. result.Errors.Select(e => e.ToString())])
            : Answer(result);
    }

    /// <summary>Who writes: the token's holder, as the release events of a forced write name them.</summary>
    public static WriteRequest Writer(ClaimsPrincipal user, bool? force) => new() { Actor = user.Identity?.Name ?? "api", Force = force ?? false };

    /// <summary>
    /// A write's answer: 200 with the changes, 404, 400 with every error, or 409 when it lost a race or would change
    /// what a running release manages (each field and its release). A dry run (<c>?dryRun=true</c>) answers as the write
    /// would, with <c>dryRun: true</c>, revision 0 and each document before and after, and writes nothing.
    /// </summary>
    public static IResult Answer(WriteResult result) => result.Outcome switch
    {
        WriteOutcome.Managed => Problems.Of(StatusCodes.Status409Conflict, [.. result.ManagedFields.Select(f => f.ToString())]),
        WriteOutcome.Applied when result.DryRun => Results.Ok(new
        {
            revision = 0,
            dryRun = true,
            changes = result.Changes.Select(c => new
            {
                document = c.Reference, change = c.Kind.ToString().ToLowerInvariant(),
                before = c.Before is null ? null : DocumentCodec.Write(c.Before), after = c.After is null ? null : DocumentCodec.Write(c.After),
            }),
        }),
        WriteOutcome.Applied => Results.Ok(new { revision = result.Revision, changes = result.Changes.Select(c => new { document = c.Reference, change = c.Kind.ToString().ToLowerInvariant() }) }),
        WriteOutcome.NotFound => Problems.NotFound(result.Message ?? "not found"),
        WriteOutcome.Invalid => Problems.BadRequest([.. result.Errors.Select(e => e.ToString())]),
        _ => Problems.Of(StatusCodes.Status409Conflict, [result.Message ?? string.Join("; ", result.Errors)]),
    };

    private static IResult UnknownKind(string kind) =>
        Problems.NotFound($"kind: \"{kind}\" is not one of {string.Join(", ", DocumentKinds.All.Select(DocumentKinds.PluralOf))}");
}
