using System.Security.Claims;

namespace LightMesh.Host.OperatorConsole;

/// <summary>Who a console page is shown to: the name of the token they signed in with, and its role.</summary>
public sealed record ConsoleUser(string Name, string Role)
{
    public static ConsoleUser? Of(ClaimsPrincipal principal) =>
        principal.FindFirst(ClaimTypes.Name)?.Value is { } name && principal.FindFirst(ClaimTypes.Role)?.Value is { } role ? new ConsoleUser(name, role) : null;
}
