namespace LightMesh.Deployer.Engine;

/// <summary>How converging a node ended: the actions taken, and the failure if one stopped it.</summary>
public sealed record ApplyOutcome(bool Succeeded, IReadOnlyList<ContainerAction> Actions, string? Error)
{
    public bool ChangedNothing => Actions.All(a => a.Kind == ActionKind.Keep);
}
