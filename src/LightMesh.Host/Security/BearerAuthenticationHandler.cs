using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.Host.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer TOKEN</c> against <see cref="BearerTokens"/>: the principal is named after the
/// token's holder and carries its role. No header is no result (a policy then answers 401); a header that is not a known
/// bearer token fails, with a reason that never holds the token.
/// </summary>
public sealed class BearerAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, BearerTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerHeader.Read(Request, out var problem);
        if (presented is null)
        {
            return Task.FromResult(problem == BearerHeader.Missing ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(problem!));
        }

        if (tokens.Find(presented) is not { } known)
        {
            return Task.FromResult(AuthenticateResult.Fail(BearerHeader.Unknown));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, known.Name), new Claim(ClaimTypes.Role, known.Role)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}
