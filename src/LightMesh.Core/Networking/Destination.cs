namespace LightMesh.Core.Networking;

/// <summary>A service (by host), optionally narrowed to a subset and a port.</summary>
public sealed record Destination
{
    public required string Host { get; init; }
    public string? Subset { get; init; }

    /// <summary><c>port.number</c>; unset means the service's only port.</summary>
    public int? Port { get; init; }
}
