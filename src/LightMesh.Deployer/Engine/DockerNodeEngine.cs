using Docker.DotNet;
using LightMesh.Core;
using LightMesh.Core.Deployment;
using LightMesh.Core.Mesh;

namespace LightMesh.Deployer.Engine;

/// <summary>A node's Docker Engine, reached through its API and converged by a <see cref="ComposeApplier"/>.</summary>
public sealed class DockerNodeEngine(MeshNode node, DockerClient docker, ComposeApplier applier, string? registrarPasswordFile) : INodeEngine
{
    public static DockerNodeEngine Open(MeshNode node, DeployerOptions options, TimeProvider time)
    {
        var docker = DockerEngines.Connect(node, options.DockerTimeout);
        return new DockerNodeEngine(node, docker, new ComposeApplier(docker, time, options.Applier), options.RegistrarPasswordFile);
    }

    public Task<IReadOnlyList<ContainerAction>> DiffAsync(NodePlan plan, CancellationToken cancellationToken) =>
        ReachAsync(() => applier.DiffAsync(plan, cancellationToken));

    public Task<ApplyOutcome> ApplyAsync(NodePlan plan, IProgress<string>? progress, CancellationToken cancellationToken) =>
        ReachAsync(() => applier.ApplyAsync(WithRegistrarPassword(WithProxyToken(plan)), progress, cancellationToken));

    /// <summary>
    /// The plan with the registrar's password in place of <see cref="ComposePlanner.EtcdPasswordPlaceholder"/>, read
    /// from its file just before the containers are made. Config hashes stay those of the plan.
    /// </summary>
    private NodePlan WithRegistrarPassword(NodePlan plan)
    {
        if (registrarPasswordFile is null || !plan.Containers.Any(c => c.Env.Values.Contains(ComposePlanner.EtcdPasswordPlaceholder)))
        {
            return plan;
        }

        var password = SecretFile.Read(registrarPasswordFile, "the registrar's etcd password file");
        return plan with
        {
            Containers = [.. plan.Containers.Select(c => c with
            {
                Env = new SortedDictionary<string, string>(c.Env.ToDictionary(e => e.Key, e => e.Value == ComposePlanner.EtcdPasswordPlaceholder ? password : e.Value), StringComparer.Ordinal),
            })],
        };
    }

    /// <summary>
    /// The plan with the node's proxy token in place of its placeholder (<see cref="ProxyToken.Placeholder"/>), read from
    /// <c>spec.proxyToken.file</c> just before the containers are made. Config hashes stay those of the plan.
    /// </summary>
    private NodePlan WithProxyToken(NodePlan plan)
    {
        if (node.Spec.ProxyToken is not { File: { } file } token
            || !plan.Containers.Any(c => c.Command?.Any(a => a.Contains(token.Placeholder, StringComparison.Ordinal)) == true))
        {
            return plan;
        }

        var value = SecretFile.ReadMatching(file, token.Sha256, $"node {node.Name}: spec.proxyToken.file");
        return plan with
        {
            Containers = [.. plan.Containers.Select(c => c.Command is null ? c : c with { Command = [.. c.Command.Select(a => a.Replace(token.Placeholder, value, StringComparison.Ordinal))] })],
        };
    }

    public void Dispose() => docker.Dispose();

    private async Task<T> ReachAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException or System.Net.Sockets.SocketException)
        {
            throw new ServerUnreachableException($"the Docker Engine of node {node.Name} ({node.Spec.DockerEndpoint ?? DockerEngines.DefaultEndpoint}) could not be reached: {e.Message}; is a Docker Engine running there? Start one (dockerd), or correct the Node's spec.dockerEndpoint", e);
        }
    }
}
