using Docker.DotNet;
using LightMesh.Core;
using LightMesh.Core.Deployment;
using LightMesh.Core.Mesh;

namespace LightMesh.Deployer.Engine;

/// <summary>A node's Docker Engine, reached through its API and converged by a <see cref="ComposeApplier"/>.</summary>
public sealed class DockerNodeEngine(MeshNode node, DockerClient docker, ComposeApplier applier) : INodeEngine
{
    public static DockerNodeEngine Open(MeshNode node, DeployerOptions options, TimeProvider time)
    {
        var docker = DockerEngines.Connect(node, options.DockerTimeout);
        return new DockerNodeEngine(node, docker, new ComposeApplier(docker, time, options.Applier));
    }

    public Task<IReadOnlyList<ContainerAction>> DiffAsync(NodePlan plan, CancellationToken cancellationToken) =>
        ReachAsync(() => applier.DiffAsync(plan, cancellationToken));

    public Task<ApplyOutcome> ApplyAsync(NodePlan plan, IProgress<string>? progress, CancellationToken cancellationToken) =>
        ReachAsync(() => applier.ApplyAsync(plan, progress, cancellationToken));

    public void Dispose() => docker.Dispose();

    private async Task<T> ReachAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException or System.Net.Sockets.SocketException)
        {
            throw new ServerUnreachableException($"the Docker Engine of node {node.Name} ({node.Spec.DockerEndpoint ?? DockerEngines.DefaultEndpoint}) could not be reached: {e.Message}", e);
        }
    }
}
