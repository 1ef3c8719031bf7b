using System.Security.Claims;
using LightMesh.Host.Api;
using LightMesh.Host.OperatorConsole;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace LightMesh.Host.Security;

/// <summary>
/// Answers a refused request as problem details (<see cref="Problems"/>), as every other API error: 401 with
/// <c>WWW-Authenticate: Bearer</c> when the token is missing or not known, 403 naming the role needed and the one held.
/// </summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // The console is pages for people: its session scheme sends them to sign in.
        if (context.Request.Path.StartsWithSegments(ConsoleSession.Root, StringComparison.OrdinalIgnoreCase))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        if (authorizeResult.Challenged)
        {
            BearerHeader.Read(context.Request, out var problem);
            var why = problem ?? BearerHeader.Unknown;

            // RFC 6750: a token that was sent but is not good is "invalid_token"; no token gets the bare challenge.
            context.Response.Headers[HeaderNames.WWWAuthenticate] = why == BearerHeader.Missing ? BearerHeader.Scheme : $"{BearerHeader.Scheme} error=\"invalid_token\"";
            await Problems.Of(StatusCodes.Status401Unauthorized, [why]).ExecuteAsync(context);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            var needed = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RoleRequirement>().Select(r => r.Role).FirstOrDefault();
            var holder = context.User.FindFirst(ClaimTypes.Name)?.Value ?? "the token";
            var held = context.User.FindFirst(ClaimTypes.Role)?.Value ?? "no role";
            var why = needed is null
                ? $"role: not allowed for token \"{holder}\" ({held})"
                : $"role: this needs {(needed == Roles.Admin ? needed : $"{needed} or higher")}; token \"{holder}\" is {held}: use a token with that role";
            await Problems.Of(StatusCodes.Status403Forbidden, [why]).ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
