namespace LightMesh.Demo;

/// <summary>How the demo releases its versions.</summary>
public enum DemoStrategy
{
    /// <summary><c>workflows/canary.yaml</c>: the new version takes a rising share of the calls, checked at each.</summary>
    Canary,

    /// <summary>
    /// <c>workflows/blue-green.yaml</c>: the new version runs beside the old as a preview that only the calls carrying its
    /// header reach (the demo's client sends some), is checked there, and takes all the calls at once.
    /// </summary>
    BlueGreen,
}

/// <summary>How <c>lightmesh demo</c> runs: its pace, whether it keeps running, its traffic, its strategy, one service or a group, and where its files go.</summary>
/// <param name="Fast">The workflow's durations divided by 30 instead of 10 (the pace CI runs it at).</param>
/// <param name="Keep">Leave everything running after the summary, until cancelled.</param>
/// <param name="Calls">Calls a second to the demo service through the mesh.</param>
/// <param name="RunDirectory">Where the components keep their data and logs; null: a new directory under /tmp.</param>
/// <param name="Strategy">How the versions are released.</param>
/// <param name="Group">Release two services as one group release (<c>examples/group-shop.yaml</c>) instead of one service twice.</param>
public sealed record DemoOptions(bool Fast, bool Keep, int Calls, string? RunDirectory, DemoStrategy Strategy = DemoStrategy.Canary, bool Group = false);
