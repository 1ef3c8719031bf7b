namespace LightMesh.Deployer.Engine;

/// <summary>What converging a node does to one container.</summary>
public enum ActionKind
{
    /// <summary>Already as planned: left running, same container id.</summary>
    Keep,
    Create,

    /// <summary>Its configuration hash changed: removed and created again.</summary>
    Recreate,

    /// <summary>As planned but not running: started.</summary>
    Start,

    /// <summary>No longer in the plan: stopped with its grace period and removed.</summary>
    Remove,
}

/// <summary>One step of converging a node, e.g. <c>recreate checkout-v2-1 (configuration changed)</c>.</summary>
public sealed record ContainerAction(ActionKind Kind, string ComposeService, string? ContainerId, string Reason)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {ComposeService} ({Reason})";
}
