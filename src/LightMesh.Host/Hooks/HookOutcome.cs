namespace LightMesh.Host.Hooks;

/// <summary>How a webhook delivery ended, as <c>lightmesh_webhook_deliveries_total</c> counts it.</summary>
public enum HookOutcome
{
    Started,
    Duplicate,
    Ignored,
    Unauthorized,
    Invalid,
    Conflict,
    TooLarge,
}
