namespace LightMesh.Core.Documents;

/// <summary>A stored document: a route rule or a mesh resource, identified by kind and name.</summary>
public abstract record Document
{
    public required string ApiVersion { get; init; }
    public required ObjectMeta Metadata { get; init; }
    public abstract DocumentKind Kind { get; }

    public string Name => Metadata.Name;

    /// <summary><c>Kind/name</c>, as errors and the CLI print it.</summary>
    public string Reference => $"{Kind}/{Name}";
}
