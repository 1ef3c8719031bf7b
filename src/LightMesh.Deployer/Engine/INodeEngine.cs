using LightMesh.Core.Deployment;

namespace LightMesh.Deployer.Engine;

/// <summary>
/// One node's container engine as the deployer uses it: what converging to a plan would do, and converging. A failure to
/// reach the engine is a <see cref="Core.ServerUnreachableException"/>; anything the engine refuses is an <see cref="ApplyOutcome"/>.
/// </summary>
public interface INodeEngine : IDisposable
{
    Task<IReadOnlyList<ContainerAction>> DiffAsync(NodePlan plan, CancellationToken cancellationToken);

    Task<ApplyOutcome> ApplyAsync(NodePlan plan, IProgress<string>? progress, CancellationToken cancellationToken);
}
