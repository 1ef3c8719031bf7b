namespace LightMesh.Host.Security;

/// <summary>What <c>auth/initialadmin</c> holds: the initial admin token's SHA-256 (never the token), who made it and when.</summary>
public sealed record InitialAdminRecord(string Sha256, string CreatedBy, DateTimeOffset CreatedAt);
