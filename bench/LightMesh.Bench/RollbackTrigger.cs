namespace LightMesh.Bench;

/// <summary>What sets off each rollback <c>lightmesh-bench rollback</c> times.</summary>
public enum RollbackTrigger
{
    /// <summary>An operator's rollback command, inside the rollback window after a promotion.</summary>
    Command,

    /// <summary>A failing sample of the canary's metric: the background analysis fails during a pause at 50%.</summary>
    Metric,
}
