namespace LightMesh.Host.Security;

/// <summary>A token the API accepts, as the controller holds it: the holder's name, the role, and the SHA-256 of the token.</summary>
public sealed record KnownToken(string Name, string Role, ReadOnlyMemory<byte> Sha256);
