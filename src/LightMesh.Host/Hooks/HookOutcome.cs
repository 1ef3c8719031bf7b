namespace LightMesh.Host.Hooks;

/// <summary>How a webhook delivery ended, as <c>lightmesh_webhook_deliveries_total</c> counts it.</summary>
public enum HookOutcome
{
    Started,

    /// <summary>The version was recorded for a Schedule to release; no release started (a trigger with mode: announce).</summary>
    Announced,
    Duplicate,
    Ignored,
    Unauthorized,
    Invalid,
    Conflict,
    TooLarge,
}
