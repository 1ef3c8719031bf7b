using LightMesh.Deployer.Engine;

namespace LightMesh.Deployer;

/// <summary>How a node deployment ended.</summary>
public enum DeployOutcome
{
    Applied,

    /// <summary>The node already ran the plan; nothing was done or recorded.</summary>
    Unchanged,

    /// <summary>The engine could not be converged (pull failed, a container crashed); see the error.</summary>
    Failed,

    /// <summary>The plan could not be made (e.g. a port collision), or there is no revision to undo to.</summary>
    Invalid,

    /// <summary>Another apply of the same node is under way.</summary>
    Busy,

    NotFound,
}

/// <summary>The outcome of applying or undoing a node: what was done, and the node's revision after.</summary>
public sealed record DeployResult(DeployOutcome Outcome, IReadOnlyList<ContainerAction> Actions, string? Revision, IReadOnlyList<string> Errors);
