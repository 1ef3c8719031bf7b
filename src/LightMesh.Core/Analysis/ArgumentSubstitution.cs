namespace LightMesh.Core.Analysis;

/// <summary>A query or address with its arguments put in; <see cref="Text"/> is null when an argument had no value or an unsafe one.</summary>
public sealed record ArgumentSubstitution(string? Text, IReadOnlyList<string> Missing, IReadOnlyList<string> Unsafe);
