using System.Text.Json;
using LightMesh.Core.Releases;
using LightMesh.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using LightMesh.Releases.Requests;

namespace LightMesh.Host.Api;

/// <summary>
/// The release endpoints under <c>/api/v1/releases</c>: thin adapters over <see cref="ReleaseService"/>, which the CLI,
/// webhooks and schedules share. Errors are problem details (<see cref="Problems"/>) with 400, 404 or 409. Reading needs
/// a viewer's token; starting a release or acting on one, an operator's.
/// </summary>
public static class ReleaseEndpoints
{
    public const string Root = "/api/v1/releases";

    /// <summary>Where actions on a service (not on one release) are.</summary>
    public const string ServicesRoot = "/api/v1/services";

    /// <summary>
    /// The header that makes a start safe to send again: every start carrying the same key (for the same service and
    /// version) answers the one release the first made, 200 instead of 201, also when the first answer was lost.
    /// </summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>The longest idempotency key taken.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>The operator actions by their path segment.</summary>
    public static readonly IReadOnlyDictionary<string, OperatorAction> Actions = new Dictionary<string, OperatorAction>(StringComparer.Ordinal)
    {
        ["pause"] = OperatorAction.Pause,
        ["resume"] = OperatorAction.Resume,
        ["abort"] = OperatorAction.Abort,
        ["promote"] = OperatorAction.Promote,
        ["promote-full"] = OperatorAction.PromoteFull,
        ["approve"] = OperatorAction.Approve,
        ["reject"] = OperatorAction.Reject,
        ["rollback"] = OperatorAction.Rollback,
    };

    public static RouteGroupBuilder MapReleaseEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Root).RequireAuthorization(Roles.Viewer);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", async (string id, ReleaseService releases, CancellationToken ct) =>
            await releases.GetAsync(id, ct) is { } release ? Results.Ok(ReleaseView.From(release)) : Problems.NotFound($"release: no release \"{id}\""));
        group.MapPost("/", StartAsync).RequireAuthorization(Roles.Operator);
        group.MapPost("/{id}/{action}", ActAsync).RequireAuthorization(Roles.Operator);
        app.MapPost(ServicesRoot + "/{name}/rollback", RollBackServiceAsync).RequireAuthorization(Roles.Operator);
        return group;
    }

    /// <summary>One page of releases, newest first, with their analyses as summaries; <c>continue</c> names the next page.</summary>
    private static async Task<IResult> ListAsync(HttpRequest request, ReleaseService releases, CancellationToken ct)
    {
        var (query, errors) = ReleaseListParameters.Read(request.Query);
        if (query is null)
        {
            return Problems.BadRequest([.. errors]);
        }

        var page = await releases.ListAsync(query, ct);
        return Results.Ok(new ReleaseListView([.. page.Releases.Select(ReleaseView.Summary)], page.Continue?.ToString()));
    }

    private static async Task<IResult> StartAsync(HttpRequest request, ReleaseService releases, CancellationToken ct)
    {
        var (body, error) = await ReadAsync<StartBody>(request, ct);
        if (body is null)
        {
            return Problems.BadRequest(error!);
        }

        var key = request.Headers[IdempotencyHeader] is { Count: > 0 } keys ? keys.ToString() : null;
        var problems = new[] { ("service", body.Service), ("version", body.Version) }.Where(f => string.IsNullOrWhiteSpace(f.Item2)).Select(f => $"{f.Item1}: required").ToList();
        if (key is not null && (key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(char.IsControl)))
        {
            problems.Add($"{IdempotencyHeader}: must be 1 to {MaxIdempotencyKeyLength} printable characters, the same on every retry of one start");
        }

        if (problems.Count > 0)
        {
            return Problems.BadRequest([.. problems]);
        }

        var result = await releases.StartAsync(new StartRequest
        {
            Service = body.Service!, Version = body.Version!, Workflow = body.Workflow ?? "canary", Image = body.Image,
            Args = body.Args ?? [], Actor = body.Actor ?? "api", Supersede = body.Supersede ?? false,
            Id = key is null ? null : ReleaseService.IdFor(body.Service!, body.Version!, key),
        }, ct);
        return result.Outcome switch
        {
            ReleaseOutcome.Done => Results.Created($"{Root}/{result.Release!.Id}", ReleaseView.From(result.Release)),
            ReleaseOutcome.AlreadyStarted => Results.Ok(ReleaseView.From(result.Release!)),
            _ => Error(result),
        };
    }

    private static async Task<IResult> ActAsync(string id, string action, HttpRequest request, ReleaseService releases, CancellationToken ct)
    {
        var (body, error) = await ActionBodyAsync(request, ct);
        if (body is null)
        {
            return Problems.BadRequest(error!);
        }

        var actor = body.Actor ?? "api";
        ReleaseResult result;
        if (action == "retry")
        {
            result = await releases.RetryAsync(id, actor, ct);
        }
        else if (Actions.TryGetValue(action, out var op))
        {
            result = await releases.ActAsync(id, op, actor, ct);
        }
        else
        {
            return Problems.NotFound($"action: \"{action}\" is not one of {string.Join(", ", Actions.Keys)}, retry");
        }

        return result.Outcome == ReleaseOutcome.Done ? Results.Ok(ReleaseView.From(result.Release!)) : Error(result);
    }

    /// <summary><c>POST /api/v1/services/{name}/rollback</c>: the service's active release rolls back inside its rollback window.</summary>
    private static async Task<IResult> RollBackServiceAsync(string name, HttpRequest request, ReleaseService releases, CancellationToken ct)
    {
        var (body, error) = await ActionBodyAsync(request, ct);
        if (body is null)
        {
            return Problems.BadRequest(error!);
        }

        var result = await releases.RollBackServiceAsync(name, body.Actor ?? "api", ct);
        return result.Outcome == ReleaseOutcome.Done ? Results.Ok(ReleaseView.From(result.Release!)) : Error(result);
    }

    /// <summary>An action's body, which is optional; one sent chunked has no Content-Length, so its content type says it is there.</summary>
    internal static async Task<(ActionBody? Body, string? Error)> ActionBodyAsync(HttpRequest request, CancellationToken ct) =>
        request.ContentLength is > 0 || request.HasJsonContentType() ? await ReadAsync<ActionBody>(request, ct) : (new ActionBody(null), null);

    private static IResult Error(ReleaseResult result) =>
        Problems.Of(StatusOf(result.Outcome), result.Errors, result.Release is null ? null : ReleaseView.From(result.Release));

    /// <summary>The HTTP status of a refused request: 404, 409, or 400 for anything else wrong with it.</summary>
    internal static int StatusOf(ReleaseOutcome outcome) => outcome switch
    {
        ReleaseOutcome.NotFound => StatusCodes.Status404NotFound,
        ReleaseOutcome.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    internal static async Task<(T? Body, string? Error)> ReadAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class
    {
        try
        {
            var body = await request.ReadFromJsonAsync<T>(JsonSerializerOptions.Web, ct);
            return body is null ? (null, "body: expected a JSON object") : (body, null);
        }
        catch (JsonException e)
        {
            return (null, $"body{(e.Path is { Length: > 1 } path ? $" at {path}" : "")}: {e.Message.Split(" Path:")[0]}");
        }
        catch (InvalidOperationException e)
        {
            return (null, $"body: {e.Message}");
        }
    }
}
