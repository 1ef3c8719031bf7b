namespace LightMesh.Core.Releases;

/// <summary>Reads a release recorded by an earlier version of LightMesh as this version records it.</summary>
public static class ReleaseUpgrade
{
    /// <summary>
    /// Records from before <see cref="ReleaseState.PausedFor"/> said why a release was paused only in words; those words
    /// were fixed, so the kind follows from them. Everything else an earlier record lacks has a safe default.
    /// </summary>
    public static ReleaseState FromEarlierVersion(ReleaseState state) => state is { Phase: ReleasePhase.Paused, PausedFor: null, PausedBecause: { } why }
        ? state with { PausedFor = KindOf(why) }
        : state;

    private static PauseKind KindOf(string why) => why switch
    {
        ReleaseDecider.OutsideWindow => PauseKind.OutsideWindow,
        "waiting for approval" => PauseKind.Approval,
        _ when why.StartsWith("paused by ", StringComparison.Ordinal) => PauseKind.Operator,
        _ when why.StartsWith("analysis inconclusive", StringComparison.Ordinal) => PauseKind.Inconclusive,
        _ => PauseKind.PauseStep,
    };
}
