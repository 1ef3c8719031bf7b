namespace LightMesh.Host.Hooks;

/// <summary>A provider that signs each body with HMAC-SHA256 (GitHub, generic): the shared secret.</summary>
public sealed record HmacHookOptions
{
    /// <summary>Unset: every delivery is refused.</summary>
    public string? Secret { get; init; }
}
