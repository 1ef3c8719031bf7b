namespace LightMesh.Core.Releases;

/// <summary>
/// The moves a promotion makes, in this order. Each is idempotent, and each is recorded in the release as begun before
/// it is carried out (<see cref="ReleaseState.Promotion"/>), so a rollback at any point knows every move that may have
/// happened and undoes it (see <see cref="ReleaseMoves"/>).
/// </summary>
public enum PromotionMove
{
    /// <summary>The canary takes 100% of the traffic. Undone by the rollback's stable 100%.</summary>
    CanaryTakesAll,

    /// <summary>
    /// Only with the workflow's <c>postPromotionAnalysis</c> or <c>rollbackWindow</c>: the new version keeps all the
    /// traffic while the old version keeps running, unchanged, at its stable size; the post-promotion analysis runs,
    /// and the window is held to its end. Nothing to undo: a rollback from here moves the traffic back, with no deploy.
    /// </summary>
    PreviousKept,

    /// <summary>The stable subset and a deployed service's <c>deploy.versions.stable</c> name the new version. Undone by naming the old one again, once it runs.</summary>
    StableMoved,

    /// <summary>Nodes run the new version's stable replicas (the old version's are removed). Undone by starting the old version's again.</summary>
    NewStableStarted,

    /// <summary>The stable subset (now the new version) takes 100%.</summary>
    StableTakesAll,

    /// <summary>After a drain, the canary's own containers are removed; the new version runs as stable only.</summary>
    CanaryRemoved,
}
