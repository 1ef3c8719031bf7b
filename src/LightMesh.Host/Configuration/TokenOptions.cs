namespace LightMesh.Host.Configuration;

/// <summary>One bearer token the API accepts (<c>LightMesh:Auth:Tokens:N</c>): who holds it, its role, and its SHA-256, never the token.</summary>
public sealed record TokenOptions
{
    /// <summary>Who holds the token, as the logs and a 403 name it (never the token itself).</summary>
    public string Name { get; init; } = "";

    /// <summary>One of <see cref="Security.Roles.All"/>.</summary>
    public string Role { get; init; } = "";

    /// <summary>The SHA-256 of the token, 64 hex digits: <c>printf %s "$TOKEN" | sha256sum</c>.</summary>
    public string Sha256 { get; init; } = "";
}
