using LightMesh.Core;
using LightMesh.Host.Configuration;

namespace LightMesh.Client;

/// <summary>The environment variables that name the controller a client calls and the token it shows, and where the token comes from.</summary>
public static class ControllerVariables
{
    public const string Server = "LIGHTMESH_SERVER";
    public const string Token = "LIGHTMESH_TOKEN";

    /// <summary>
    /// The token to send and where it came from (for error messages): <paramref name="given"/> (<c>--token</c>), else
    /// <c>$LIGHTMESH_TOKEN</c>, else the initial admin token's file; or none.
    /// </summary>
    public static (string? Token, string? Source) ResolveToken(string? given)
    {
        if (given is not null)
        {
            return (given, "--token");
        }

        if (Environment.GetEnvironmentVariable(Token) is { } variable && !string.IsNullOrWhiteSpace(variable))
        {
            return (variable.Trim(), $"${Token}");
        }

        var file = AuthOptions.ExpandHome(AuthOptions.DefaultTokenFile);
        try
        {
            return File.Exists(file) && File.ReadAllText(file) is { } contents && !string.IsNullOrWhiteSpace(contents) ? (contents.Trim(), AuthOptions.DefaultTokenFile) : (null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{file}: cannot be read ({e.Message}); give a token with --token or ${Token}");
        }
    }
}
