namespace LightMesh.Bench;

/// <summary>
/// What the API showed after the run: how many releases there are and in which phase, and the three ways a delivery
/// can go wrong: an answered release that does not exist (lost), a delivery with two or more releases (duplicated),
/// a release whose delivery was never answered with it (unannounced).
/// </summary>
internal sealed record HookChecks
{
    public int Releases { get; init; }
    public int Lost { get; init; }
    public int DuplicateReleases { get; init; }
    public int Unannounced { get; init; }
    public string Phases { get; init; } = "";

    /// <summary>The first few problems found, each naming the delivery and the release.</summary>
    public IReadOnlyList<string> Examples { get; init; } = [];
}
