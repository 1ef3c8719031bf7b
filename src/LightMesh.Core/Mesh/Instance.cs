namespace LightMesh.Core.Mesh;

/// <summary>A live instance of a service, registered under a lease; it vanishes when the lease lapses.</summary>
public sealed record Instance
{
    public required string Service { get; init; }
    public required string Id { get; init; }
    public required string Version { get; init; }
    public required string Address { get; init; }
    public required int Port { get; init; }
    public string? Node { get; init; }

    /// <summary>Labels subsets select on; <c>version</c> is always present and equals <see cref="Version"/>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The id an instance gets when the registrar names none: its address and port.</summary>
    public static string DefaultId(string address, int port) => $"{address}-{port}".Replace(':', '_');
}
