namespace LightMesh.Core.Documents;

/// <summary>The <c>metadata</c> block every document carries.</summary>
public sealed record ObjectMeta
{
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}
