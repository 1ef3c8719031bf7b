namespace LightMesh.Core.Releases;

/// <summary>The order of the moves that end a release (a promotion's, a rollback's), and what one tells of the other.</summary>
public static class ReleaseMoves
{
    public const PromotionMove FirstPromotion = PromotionMove.CanaryTakesAll;

    /// <summary>
    /// The move a rollback of <paramref name="release"/> begins with: making the old version the stable one again when a
    /// promotion may have moved it (<see cref="MayHaveMovedStable"/>), otherwise at once sending stable all the traffic.
    /// A rollback inside the rollback window is such a one: its first write is the one that moves the traffic back.
    /// </summary>
    public static RollbackMove FirstRollback(ReleaseState release) =>
        MayHaveMovedStable(release) ? RollbackMove.StableRestored : RollbackMove.StableTakesAll;

    /// <summary>
    /// The move after <paramref name="move"/>, or null when the promotion is complete; <see cref="PromotionMove.PreviousKept"/>
    /// only when <paramref name="spec"/> keeps the old version after the switch.
    /// </summary>
    public static PromotionMove? After(PromotionMove move, ReleaseWorkflowSpec spec) => move switch
    {
        PromotionMove.CanaryRemoved => null,
        PromotionMove.CanaryTakesAll when !spec.KeepsPrevious => PromotionMove.StableMoved,
        _ => move + 1,
    };

    /// <summary>The move after <paramref name="move"/>, or null when the rollback is complete.</summary>
    public static RollbackMove? After(RollbackMove move) => move == RollbackMove.CanaryRemoved ? null : move + 1;

    /// <summary>
    /// The canary weight the promotion's <see cref="PromotionMove.CanaryTakesAll"/> move writes next: the first weight of
    /// the promote step's <see cref="PromoteStep.Steps"/> above the canary's weight now, or 100. Read from the stored
    /// state, so making the move again after a crash writes the same weight.
    /// </summary>
    public static int PromotionWeight(ReleaseState release) =>
        release.CurrentStep is PromoteStep { Steps: { Count: > 0 } steps } ? steps.FirstOrDefault(w => w > release.CanaryWeight, 100) : 100;

    /// <summary>
    /// True when the promotion may have moved the stable version (the move that does it has begun): a rollback must then
    /// start the old version again and name it stable before it can send it the traffic.
    /// </summary>
    public static bool MayHaveMovedStable(ReleaseState release) => release.Promotion >= PromotionMove.StableMoved;

    /// <summary>
    /// True once the release has begun removing its canary's containers (promoted or rolled back): applies of other
    /// releases must no longer keep them, or a canary would outlive its release.
    /// </summary>
    public static bool RemovingCanary(ReleaseState release) =>
        release.IsFinished || release.Rollback == RollbackMove.CanaryRemoved || (release.RollingBack is null && release.Promotion == PromotionMove.CanaryRemoved);
}
