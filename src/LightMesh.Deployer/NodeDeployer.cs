using LightMesh.Core.Deployment;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Deployer.Engine;
using LightMesh.Deployer.Revisions;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Xds.Bootstrap;

namespace LightMesh.Deployer;

/// <summary>
/// The deployer's one entry point for the CLI, the API and release steps: render, diff, apply and undo a node.
/// Plans come from the stored documents; applies are serialised per node (a lock kept alive while the apply runs) and
/// recorded as node revisions.
/// </summary>
public sealed class NodeDeployer(DocumentStore documents, NodeRevisionStore revisions, Func<MeshNode, INodeEngine> engines, TimeProvider time, DeployerOptions options)
{
    /// <summary>A deployer that converges each node's Docker Engine.</summary>
    public static NodeDeployer ForDocker(EtcdConnection etcd, TimeProvider time, DeployerOptions options) =>
        new(new DocumentStore(etcd), new NodeRevisionStore(etcd, time), node => DockerNodeEngine.Open(node, options, time), time, options);

    /// <summary>The node's plan from the stored documents, with <paramref name="canaries"/> running beside the stable versions.</summary>
    public async Task<(MeshNode? Node, PlanResult Plan)> RenderAsync(string nodeName, IReadOnlyList<CanaryDeployment> canaries, CancellationToken cancellationToken)
    {
        var snapshot = await documents.ReadAsync(cancellationToken);
        if (snapshot.Find(DocumentKind.Node, nodeName)?.Document is not MeshNode node)
        {
            return (null, new PlanResult(null, [$"Node/{nodeName} not found"]));
        }

        var services = snapshot.All<MeshService>().ToList();
        var unknown = canaries.Where(c => !services.Any(s => s.Name == c.Service && s.Spec.Deploy is not null)).Select(c => $"canary {c.Service}: no deployable Service of that name").ToList();
        if (unknown.Count > 0)
        {
            return (node, new PlanResult(null, unknown));
        }

        var bootstrap = Bootstraps.Envoy(node.Name, options.Xds, node.Spec.Sidecar?.EffectiveAdminPort ?? SidecarSpec.DefaultAdminPort, node.Spec.ProxyToken?.Placeholder).ToJsonString();
        return (node, ComposePlanner.Plan(node, services, canaries, options.EtcdEndpoints, bootstrap, options.RegistrarPasswordFile is null ? null : options.RegistrarUser));
    }

    public async Task<(DeployOutcome Outcome, IReadOnlyList<ContainerAction> Actions, IReadOnlyList<string> Errors)> DiffAsync(string nodeName, IReadOnlyList<CanaryDeployment> canaries, CancellationToken cancellationToken)
    {
        var (node, plan) = await RenderAsync(nodeName, canaries, cancellationToken);
        if (node is null || plan.Plan is null)
        {
            return (node is null ? DeployOutcome.NotFound : DeployOutcome.Invalid, [], plan.Errors);
        }

        using var engine = engines(node);
        return (DeployOutcome.Applied, await engine.DiffAsync(plan.Plan, cancellationToken), []);
    }

    /// <summary>Converges the node to its plan and records the revision; running it twice changes nothing the second time.</summary>
    public Task<DeployResult> ApplyAsync(string nodeName, IReadOnlyList<CanaryDeployment> canaries, IProgress<string>? progress, CancellationToken cancellationToken) =>
        ApplyAsync(nodeName, _ => Task.FromResult(canaries), progress, cancellationToken);

    /// <summary>
    /// As <see cref="ApplyAsync(string, IReadOnlyList{CanaryDeployment}, IProgress{string}?, CancellationToken)"/>, with the
    /// canaries read once the node's lock is held: a release's canary list read before another apply finished could
    /// bring back a canary that apply had just removed.
    /// </summary>
    public async Task<DeployResult> ApplyAsync(string nodeName, Func<CancellationToken, Task<IReadOnlyList<CanaryDeployment>>> canaries, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        return await WithLockAsync(nodeName, "apply", async token =>
        {
            var (node, plan) = await RenderAsync(nodeName, await canaries(token), token);
            return node is null || plan.Plan is null
                ? new DeployResult(node is null ? DeployOutcome.NotFound : DeployOutcome.Invalid, [], null, plan.Errors)
                : await ConvergeLockedAsync(node, plan.Plan, "apply", progress, token);
        }, cancellationToken);
    }

    /// <summary>
    /// Returns the node to the revision it ran before the last apply. Undoing twice changes nothing the second
    /// time: the target is always the revision before the most recent apply, not before the undo.
    /// </summary>
    public Task<DeployResult> UndoAsync(string nodeName, IProgress<string>? progress, CancellationToken cancellationToken) =>
        WithLockAsync(nodeName, "undo", async token =>
        {
            var snapshot = await documents.ReadAsync(token);
            if (snapshot.Find(DocumentKind.Node, nodeName)?.Document is not MeshNode node)
            {
                return new DeployResult(DeployOutcome.NotFound, [], null, [$"Node/{nodeName} not found"]);
            }

            var history = await revisions.HistoryAsync(nodeName, token);
            var lastApply = history.LastOrDefault(r => r.Kind == "apply");
            var target = lastApply?.Previous is { } previous ? history.LastOrDefault(r => r.Revision == previous) : null;
            return target is null
                ? new DeployResult(DeployOutcome.Invalid, [], null, [$"node {nodeName} has no earlier revision to return to"])
                : await ConvergeLockedAsync(node, target.ToPlan(), "undo", progress, token);
        }, cancellationToken);

    public Task<IReadOnlyList<NodeRevision>> HistoryAsync(string nodeName, CancellationToken cancellationToken) => revisions.HistoryAsync(nodeName, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> holding the node's lock, or answers <see cref="DeployOutcome.Busy"/> naming the holder.
    /// The work is cancelled if the lock is lost (etcd unreachable for a whole TTL): another apply may have begun.
    /// </summary>
    private async Task<DeployResult> WithLockAsync(string nodeName, string kind, Func<CancellationToken, Task<DeployResult>> work, CancellationToken cancellationToken)
    {
        await using var held = await revisions.TryLockAsync(nodeName, $"an {kind} by {Environment.MachineName}:{Environment.ProcessId}", cancellationToken);
        if (held is null)
        {
            var holder = await revisions.LockHolderAsync(nodeName, cancellationToken);
            return new DeployResult(DeployOutcome.Busy, [], null, [$"node {nodeName} is busy: {holder ?? "an apply that just finished"} holds it"]);
        }

        using var whileHeld = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
        try
        {
            return await work(whileHeld.Token);
        }
        catch (OperationCanceledException) when (held.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new Core.ServerUnreachableException($"the lock of node {nodeName} was lost (etcd unreachable for {NodeRevisionStore.LockTtl.TotalSeconds:0} s) while applying it; the node may be half applied and is applied again on the next try");
        }
    }

    private async Task<DeployResult> ConvergeLockedAsync(MeshNode node, NodePlan plan, string kind, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        using var engine = engines(node);
        var (current, currentModRevision) = await revisions.CurrentAsync(node.Name, cancellationToken);
        var diff = await engine.DiffAsync(plan, cancellationToken);
        if (current?.Revision == plan.Revision && diff.All(a => a.Kind == ActionKind.Keep))
        {
            return new DeployResult(DeployOutcome.Unchanged, diff, plan.Revision, []);
        }

        var outcome = await engine.ApplyAsync(plan, progress, cancellationToken);
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
