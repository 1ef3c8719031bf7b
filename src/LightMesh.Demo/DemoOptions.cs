namespace LightMesh.Demo;

/// <summary>How <c>lightmesh demo</c> runs: its pace, whether it keeps running, its traffic and where its files go.</summary>
/// <param name="Fast">canary.yaml's durations divided by 30 instead of 10 (the pace CI runs it at).</param>
/// <param name="Keep">Leave everything running after the summary, until cancelled.</param>
/// <param name="Calls">Calls a second to the demo service through the mesh.</param>
/// <param name="RunDirectory">Where the components keep their data and logs; null: a new directory under /tmp.</param>
public sealed record DemoOptions(bool Fast, bool Keep, int Calls, string? RunDirectory);
