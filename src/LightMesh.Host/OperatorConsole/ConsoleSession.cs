using System.Security.Claims;
using LightMesh.Host.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// A console sign-in: an API bearer token is exchanged for a session cookie (HttpOnly, SameSite=Strict, path
/// <c>/console</c>) that names the token's holder and role, never the token. The cookie is signed and encrypted with the
/// key ring in etcd (<see cref="EtcdKeyRing"/>), so every controller accepts it. A session ends at sign-out, after
/// <see cref="Lifetime"/> without use, or at the next request once its token is no longer configured with that role.
/// The API itself takes bearer tokens only.
/// </summary>
public static class ConsoleSession
{
    public const string Scheme = "console";

    /// <summary>The policy of every console page but sign-in: a session of a viewer's token or a higher one.</summary>
    public const string Policy = "console";

    /// <summary>The policy of the console's actions: a session of an operator's token or an admin's.</summary>
    public const string OperatorPolicy = "console-operator";

    public const string CookieName = "lightmesh-console";

    public static readonly PathString Root = "/console";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>The principal a session carries for <paramref name="token"/>.</summary>
    public static ClaimsPrincipal PrincipalOf(KnownToken token) => PrincipalOf(new ConsoleUser(token.Name, token.Role));

    /// <summary>The principal a session carries for <paramref name="user"/> (a token's holder and role).</summary>
    public static ClaimsPrincipal PrincipalOf(ConsoleUser user) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role)], Scheme));

    internal static void Configure(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.Path = Root;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.ExpireTimeSpan = Lifetime;
        options.SlidingExpiration = true;
        options.LoginPath = Root.Add("/sign-in");
        options.AccessDeniedPath = Root.Add("/sign-in");
        // A signed-in viewer who posts an operator's action (a forged form, say) is refused as the API refuses it.
        options.Events.OnRedirectToAccessDenied = context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        };
        options.Events.OnValidatePrincipal = async context =>
        {
            var tokens = context.HttpContext.RequestServices.GetService<BearerTokens>();
            var name = context.Principal?.FindFirst(ClaimTypes.Name)?.Value;
            var role = context.Principal?.FindFirst(ClaimTypes.Role)?.Value;
            if (tokens is null || name is null || role is null || !tokens.Holds(name, role))
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(Scheme);
            }
        };
    }
}
