namespace LightMesh.Core.Networking;

/// <summary>Conditions on a request; all that are set must hold.</summary>
public sealed record HttpMatchRequest
{
    public string? Name { get; init; }
    public StringMatch? Uri { get; init; }

    /// <summary>Header name (lower case) to its match.</summary>
    public IReadOnlyDictionary<string, StringMatch> Headers { get; init; } = new Dictionary<string, StringMatch>();

    public bool? IgnoreUriCase { get; init; }
}
