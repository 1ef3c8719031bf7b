using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace LightMesh.Host.Security;

/// <summary>
/// The fallback policy, for an endpoint that says nothing about authorization: under <c>/api</c> it needs a known token,
/// so an endpoint added without a policy is never open by accident; elsewhere (<c>/healthz</c>, <c>/readyz</c>,
/// <c>/metrics</c>, the xDS stream) it is open. An endpoint that must be open under <c>/api</c> (a webhook checking its
/// own signature) says <c>AllowAnonymous()</c>.
/// </summary>
public sealed class ApiRequirement : AuthorizationHandler<ApiRequirement>, IAuthorizationRequirement
{
    public static readonly PathString Root = "/api";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiRequirement requirement)
    {
        var underApi = context.Resource is not HttpContext http || http.Request.Path.StartsWithSegments(Root, StringComparison.OrdinalIgnoreCase);
        if (!underApi || context.User.Identity?.IsAuthenticated == true)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
