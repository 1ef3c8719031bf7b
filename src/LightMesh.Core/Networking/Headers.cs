namespace LightMesh.Core.Networking;

/// <summary>Istio's <c>headers</c> of a route destination: what to change in the requests sent to it and in its answers.</summary>
public sealed record Headers
{
    public HeaderOperations? Request { get; init; }
    public HeaderOperations? Response { get; init; }
}

/// <summary>
/// Istio's <c>HeaderOperations</c>: <see cref="Set"/> overwrites a header (or adds it), <see cref="Add"/> adds a value
/// beside any already there, <see cref="Remove"/> takes a header away. Names are lower case. Compared by value.
/// </summary>
public sealed record HeaderOperations
{
    public IReadOnlyDictionary<string, string> Set { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, string> Add { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    public IReadOnlyList<string> Remove { get; init; } = [];

    public bool Equals(HeaderOperations? other) =>
        other is not null && SameMap(Set, other.Set) && SameMap(Add, other.Add) && Remove.SequenceEqual(other.Remove, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Set.Count, Add.Count, Remove.Count);

    private static bool SameMap(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var value) && value == kv.Value);
}
