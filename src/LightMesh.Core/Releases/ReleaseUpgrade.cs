namespace LightMesh.Core.Releases;

/// <summary>Reads a release recorded by an earlier version of LightMesh as this version records it.</summary>
public static class ReleaseUpgrade
{
    /// <summary>
    /// Records from before <see cref="ReleaseState.PausedFor"/> said why a release was paused only in words; those words
    /// were fixed, so the kind follows from them. A release on its promote step from before promotions were recorded
    /// move by move begins with the first move (each is idempotent), and a rollback from before rollbacks were, with the
    /// first of its moves. Everything else an earlier record lacks has a safe default.
    /// </summary>
    public static ReleaseState FromEarlierVersion(ReleaseState state) => state switch
    {
        { IsFinished: true } => state,
        { Phase: ReleasePhase.Paused, PausedFor: null, PausedBecause: { } why } => FromEarlierVersion(state with { PausedFor = KindOf(why) }),
        { RollingBack: not null, Rollback: null } => state with { Rollback = ReleaseMoves.FirstRollback(state) },
        { RollingBack: null, Promotion: null, CurrentStep: PromoteStep or null } => state with { Promotion = ReleaseMoves.FirstPromotion },
        _ => state,
    };

    private static PauseKind KindOf(string why) => why switch
    {
        ReleaseDecider.OutsideWindow => PauseKind.OutsideWindow,
        "waiting for approval" => PauseKind.Approval,
        _ when why.StartsWith("paused by ", StringComparison.Ordinal) => PauseKind.Operator,
        _ when why.StartsWith("analysis inconclusive", StringComparison.Ordinal) => PauseKind.Inconclusive,
        _ => PauseKind.PauseStep,
    };
}
