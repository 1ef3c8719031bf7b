namespace LightMesh.Core.Releases;

/// <summary>
/// The moves of a rollback, in this order, each idempotent and recorded as begun before it is carried out
/// (<see cref="ReleaseState.Rollback"/>). A rollback is never given up: a move that fails is tried again.
/// </summary>
public enum RollbackMove
{
    /// <summary>
    /// The old version is the stable one again: the old version's containers are started again and it is named stable
    /// (deploy and subset) once they run. Only a rollback after a promotion that may have moved the stable version makes
    /// this move (<see cref="ReleaseMoves.FirstRollback"/>); any other begins with <see cref="StableTakesAll"/>.
    /// </summary>
    StableRestored,

    /// <summary>Stable takes 100% of the traffic, and every proxy has it.</summary>
    StableTakesAll,

    /// <summary>After a drain, the canary's containers are removed: each node back at its revision from before the release.</summary>
    CanaryRemoved,
}
