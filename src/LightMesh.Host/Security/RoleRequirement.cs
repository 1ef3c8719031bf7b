using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace LightMesh.Host.Security;

/// <summary>The policy of a role: met by a token of that role or a higher one (<see cref="Roles.Grants"/>).</summary>
public sealed class RoleRequirement(string role) : AuthorizationHandler<RoleRequirement>, IAuthorizationRequirement
{
    public string Role { get; } = role;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        if (context.User.FindFirst(ClaimTypes.Role)?.Value is { } held && Roles.Grants(held, requirement.Role))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
