using Docker.DotNet;
using LightMesh.Core;
using LightMesh.Core.Deployment;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Deployer.Engine;
using LightMesh.Deployer.Revisions;
using LightMesh.Etcd.Documents;
using LightMesh.Xds.Bootstrap;

namespace LightMesh.Deployer;

/// <summary>
/// The deployer's one entry point for the CLI, the API and release steps: render, diff, apply and undo a node.
/// Plans come from the stored documents; applies are serialised per node and recorded as node revisions.
/// </summary>
public sealed class NodeDeployer(DocumentStore documents, NodeRevisionStore revisions, Func<MeshNode, IDockerClient> engines, TimeProvider time, DeployerOptions options)
{
    /// <summary>The node's plan from the stored documents, with <paramref name="canaries"/> running beside the stable versions.</summary>
    public async Task<(MeshNode? Node, PlanResult Plan)> RenderAsync(string nodeName, IReadOnlyList<CanaryDeployment> canaries, CancellationToken cancellationToken)
    {
        var snapshot = await documents.ReadAsync(cancellationToken);
        if (snapshot.Find(DocumentKind.Node, nodeName)?.Document is not MeshNode node)
        {
            return (null, new PlanResult(null, [$"Node/{nodeName} not found"]));
        }

        var services = snapshot.Documents.Select(d => d.Document).OfType<MeshService>().ToList();
        var unknown = canaries.Where(c => !services.Any(s => s.Name == c.Service && s.Spec.Deploy is not null)).Select(c => $"canary {c.Service}: no deployable Service of that name").ToList();
        if (unknown.Count > 0)
        {
            return (node, new PlanResult(null, unknown));
        }

        var bootstrap = Bootstraps.Envoy(node.Name, options.XdsHost, options.XdsPort, node.Spec.Sidecar?.EffectiveAdminPort ?? SidecarSpec.DefaultAdminPort).ToJsonString();
        return (node, ComposePlanner.Plan(node, services, canaries, options.EtcdEndpoints, bootstrap));
    }

    public async Task<(DeployOutcome Outcome, IReadOnlyList<ContainerAction> Actions, IReadOnlyList<string> Errors)> DiffAsync(string nodeName, IReadOnlyList<CanaryDeployment> canaries, CancellationToken cancellationToken)
    {
        var (node, plan) = await RenderAsync(nodeName, canaries, cancellationToken);
        if (node is null || plan.Plan is null)
        {
            return (node is null ? DeployOutcome.NotFound : DeployOutcome.Invalid, [], plan.Errors);
        }

        using var docker = engines(node);
        try
        {
            return (DeployOutcome.Applied, await new ComposeApplier(docker, time, options.Applier).DiffAsync(plan.Plan, cancellationToken), []);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException)
        {
            throw new ServerUnreachableException($"the Docker Engine of node {node.Name} could not be reached: {e.Message}", e);
        }
    }

    /// <summary>Converges the node to its plan and records the revision; running it twice changes nothing the second time.</summary>
    public async Task<DeployResult> ApplyAsync(string nodeName, IReadOnlyList<CanaryDeployment> canaries, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var (node, plan) = await RenderAsync(nodeName, canaries, cancellationToken);
        if (node is null || plan.Plan is null)
        {
            return new DeployResult(node is null ? DeployOutcome.NotFound : DeployOutcome.Invalid, [], null, plan.Errors);
        }

        return await ConvergeAsync(node, plan.Plan, "apply", progress, cancellationToken);
    }

    /// <summary>
    /// Returns the node to the revision it ran before the last apply. Undoing twice changes nothing the second
    /// time: the target is always the revision before the most recent apply, not before the undo.
    /// </summary>
    public async Task<DeployResult> UndoAsync(string nodeName, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var snapshot = await documents.ReadAsync(cancellationToken);
        if (snapshot.Find(DocumentKind.Node, nodeName)?.Document is not MeshNode node)
        {
            return new DeployResult(DeployOutcome.NotFound, [], null, [$"Node/{nodeName} not found"]);
        }

        var history = await revisions.HistoryAsync(nodeName, cancellationToken);
        var lastApply = history.LastOrDefault(r => r.Kind == "apply");
        var target = lastApply?.Previous is { } previous ? history.LastOrDefault(r => r.Revision == previous) : null;
        if (target is null)
        {
            return new DeployResult(DeployOutcome.Invalid, [], null, [$"node {nodeName} has no earlier revision to return to"]);
        }

        return await ConvergeAsync(node, target.ToPlan(), "undo", progress, cancellationToken);
    }

    public Task<IReadOnlyList<NodeRevision>> HistoryAsync(string nodeName, CancellationToken cancellationToken) => revisions.HistoryAsync(nodeName, cancellationToken);

    private async Task<DeployResult> ConvergeAsync(MeshNode node, NodePlan plan, string kind, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        await using var held = await revisions.TryLockAsync(node.Name, $"{kind} of {plan.Revision} by {Environment.MachineName}:{Environment.ProcessId}", cancellationToken);
        if (held is null)
        {
            var holder = await revisions.LockHolderAsync(node.Name, cancellationToken);
            return new DeployResult(DeployOutcome.Busy, [], null, [$"node {node.Name} is being changed by another apply ({holder ?? "just finished"}); try again when it is done"]);
        }

        using var docker = engines(node);
        try
        {
            return await ConvergeLockedAsync(node, plan, kind, new ComposeApplier(docker, time, options.Applier), progress, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException)
        {
            throw new ServerUnreachableException($"the Docker Engine of node {node.Name} ({node.Spec.DockerEndpoint ?? DockerEngines.DefaultEndpoint}) could not be reached: {e.Message}", e);
        }
    }

    private async Task<DeployResult> ConvergeLockedAsync(MeshNode node, NodePlan plan, string kind, ComposeApplier applier, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var (current, currentModRevision) = await revisions.CurrentAsync(node.Name, cancellationToken);
        var diff = await applier.DiffAsync(plan, cancellationToken);
        if (current?.Revision == plan.Revision && diff.All(a => a.Kind == ActionKind.Keep))
        {
            return new DeployResult(DeployOutcome.Unchanged, diff, plan.Revision, []);
        }

        var outcome = await applier.ApplyAsync(plan, progress, cancellationToken);
        if (!outcome.Succeeded)
        {
            return new DeployResult(DeployOutcome.Failed, outcome.Actions, current?.Revision, [outcome.Error!]);
        }

        if (current?.Revision != plan.Revision)
        {
            var record = new NodeRevision((current?.Sequence ?? 0) + 1, node.Name, plan.Revision, kind, current?.Revision, time.GetUtcNow(), plan.Yaml, plan.Containers);
            if (!await revisions.RecordAsync(record, currentModRevision, cancellationToken))
            {
                return new DeployResult(DeployOutcome.Failed, outcome.Actions, plan.Revision, ["the node revision changed while applying; the engine runs the plan but its record was not written"]);
            }
        }

        return new DeployResult(DeployOutcome.Applied, outcome.Actions, plan.Revision, []);
    }
}
