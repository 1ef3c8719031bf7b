using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using LightMesh.Host.Security;
using LightMesh.Releases.Requests;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// The operator console under <c>/console</c>, served by the controller itself: pages rendered on the server from Razor
/// components (<see cref="RazorComponentResult"/>), readable without JavaScript; forms carry antiforgery tokens, checked
/// before a handler runs. Every page but sign-in needs a session (<see cref="ConsoleSession"/>); without one it
/// redirects to sign-in.
/// </summary>
public static class ConsoleEndpoints
{
    public static RouteGroupBuilder MapOperatorConsole(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ConsoleSession.Root);
        group.MapGet("/", ReleasesAsync).RequireAuthorization(ConsoleSession.Policy);
        group.MapGet("/sign-in", () => Page<SignInPage>(new Dictionary<string, object?>())).AllowAnonymous();
        group.MapPost("/sign-in", SignInAsync).AllowAnonymous();
        // A Delegate, not a RequestDelegate: the redirect it returns is the answer.
        group.MapPost("/sign-out", (Delegate)SignOutAsync).RequireAuthorization(ConsoleSession.Policy);
        return group;
    }

    private static async Task<IResult> ReleasesAsync(HttpContext http, ReleaseStore store, ReleaseService releases, TimeProvider time, CancellationToken ct)
    {
        var (query, errors) = ReleaseListParameters.Read(http.Request.Query);
        query ??= new ReleaseQuery();
        var now = time.GetUtcNow();

        // The running releases lead on every page's first screen, whatever page of the ended ones is shown.
        var (activeIds, _) = await store.ActiveIdsAsync(ct);
        var active = (await store.GetManyAsync(activeIds, ct))
            .Where(r => (query.Service is null || r.Service == query.Service) && (query.Phase is null || r.Phase == query.Phase))
            .OrderByDescending(r => r.StartedAt)
            .Select(r => ReleaseRow.Of(r, now))
            .ToList();
        var page = await releases.ListAsync(query, ct);
        var recent = page.Releases.Where(r => r.IsFinished).Select(r => ReleaseRow.Of(r, now)).ToList();
        return Page<ReleasesPage>(new Dictionary<string, object?>
        {
            [nameof(ReleasesPage.User)] = ConsoleUser.Of(http.User),
            [nameof(ReleasesPage.Active)] = active,
            [nameof(ReleasesPage.Recent)] = recent,
            [nameof(ReleasesPage.Service)] = query.Service,
            [nameof(ReleasesPage.Phase)] = query.Phase?.ToString(),
            [nameof(ReleasesPage.Errors)] = errors,
            [nameof(ReleasesPage.Next)] = page.Continue is { } next ? NextLink(query, next.ToString()) : null,
        });
    }

    private static async Task<IResult> SignInAsync([FromForm(Name = "token")] string? token, HttpContext http, BearerTokens tokens, ILogger<ConsoleUser> logger)
    {
        if (string.IsNullOrWhiteSpace(token) || tokens.Find(token.Trim()) is not { } known)
        {
            return Page<SignInPage>(
                new Dictionary<string, object?> { [nameof(SignInPage.Error)] = "token: not one this controller accepts; use a token from its configuration (Auth:Tokens) or the token file it wrote" },
                StatusCodes.Status401Unauthorized);
        }

        await http.SignInAsync(ConsoleSession.Scheme, ConsoleSession.PrincipalOf(known));
        Log.ConsoleSignedIn(logger, known.Name, known.Role);
        return Results.Redirect($"{ConsoleSession.Root}/");
    }

    private static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(ConsoleSession.Scheme);
        return Results.Redirect($"{ConsoleSession.Root}/sign-in");
    }

    private static string NextLink(ReleaseQuery query, string next)
    {
        var parameters = new List<string> { $"continue={Uri.EscapeDataString(next)}" };
        parameters.AddRange(query.Service is { } service ? [$"service={Uri.EscapeDataString(service)}"] : []);
        parameters.AddRange(query.Phase is { } phase ? [$"phase={phase}"] : []);
        return $"{ConsoleSession.Root}/?{string.Join('&', parameters)}";
    }

    private static RazorComponentResult<T> Page<T>(Dictionary<string, object?> parameters, int status = StatusCodes.Status200OK)
        where T : IComponent => new(parameters) { StatusCode = status };
}
