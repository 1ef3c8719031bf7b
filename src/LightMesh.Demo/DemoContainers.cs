using Docker.DotNet;
using Docker.DotNet.Models;
using LightMesh.Core.Deployment;
using LightMesh.Deployer.Engine;

namespace LightMesh.Demo;

/// <summary>The containers the demo's node runs, removed before it starts (a run that was killed) and when it ends.</summary>
internal static class DemoContainers
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Removes every container of <paramref name="node"/>, running or not; they are found by the node's compose project.</summary>
    public static async Task RemoveAsync(IDockerClient docker, string node, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var containers = await docker.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ComposeLabels.Project}={ComposePlanner.ProjectName(node)}"] = true } },
            },
            timeout.Token);
        foreach (var container in containers)
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, timeout.Token);
        }
    }
}
