using System.Text.Json;
using LightMesh.Core;
using LightMesh.Core.Deployment;
using LightMesh.Core.Mesh;
using LightMesh.Deployer.Engine;
using LightMesh.Etcd;

namespace LightMesh.Testing;

/// <summary>A container as <see cref="SimulatedNodeEngine"/> keeps it: enough to tell what runs where, and what a plan changes.</summary>
public sealed record SimulatedContainer(string ComposeService, string Service, string Version, int Port, string ConfigHash)
{
    /// <summary>A release's own canary replica, as opposed to a stable one.</summary>
    public bool IsCanary => ComposeService.Contains("-canary-", StringComparison.Ordinal);
}

/// <summary>What the next call to a node's simulated engine does instead of its work.</summary>
public enum SimulatedFault
{
    /// <summary>The engine cannot be reached, as a Docker Engine that is down.</summary>
    Unreachable,

    /// <summary>The engine refuses the plan, as a Docker Engine refuses an image without a command.</summary>
    Refused,
}

/// <summary>
/// A node's container engine simulated in etcd, for tests that run many releases fast and kill the controllers that
/// apply them: what a node runs is a JSON list under <c>{prefix}nodes/{node}</c>, which survives any controller, and a
/// fault planted under <c>{prefix}faults/{node}</c> is taken by the next call. The deployer converges it as it would a
/// Docker Engine: node locks, plans and revisions are the real ones.
/// </summary>
public sealed class SimulatedNodeEngine(EtcdConnection etcd, string prefix, MeshNode node) : INodeEngine
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public static string NodeKey(string prefix, string node) => $"{prefix}nodes/{node}";

    public static string FaultKey(string prefix, string node) => $"{prefix}faults/{node}";

    /// <summary>What <paramref name="node"/> runs now.</summary>
    public static async Task<IReadOnlyList<SimulatedContainer>> RunningAsync(EtcdConnection etcd, string prefix, string node, CancellationToken cancellationToken)
    {
        var stored = await etcd.GetAsync(NodeKey(prefix, node), cancellationToken);
        return stored.Count == 0 ? [] : JsonSerializer.Deserialize<List<SimulatedContainer>>(stored.Kvs[0].Value.ToStringUtf8(), Json)!;
    }

    /// <summary>Makes the next call to <paramref name="node"/>'s engine fail with <paramref name="fault"/>.</summary>
    public static async Task PlantAsync(EtcdConnection etcd, string prefix, string node, SimulatedFault fault, CancellationToken cancellationToken) =>
        await new GuardedTxn().Put(FaultKey(prefix, node), fault.ToString()).CommitAsync(etcd, cancellationToken);

    public async Task<IReadOnlyList<ContainerAction>> DiffAsync(NodePlan plan, CancellationToken cancellationToken) =>
        Diff(plan, await RunningAsync(etcd, prefix, node.Name, cancellationToken));

    public async Task<ApplyOutcome> ApplyAsync(NodePlan plan, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        await TakeFaultAsync(cancellationToken);
        var running = await etcd.GetAsync(NodeKey(prefix, node.Name), cancellationToken);
        var actions = Diff(plan, running.Count == 0 ? [] : JsonSerializer.Deserialize<List<SimulatedContainer>>(running.Kvs[0].Value.ToStringUtf8(), Json)!);
        var planned = plan.Containers.Where(c => c.Port != 0).Select(c => new SimulatedContainer(c.ComposeService, c.Service, c.Version, c.Port, c.ConfigHash)).ToList();
        var (written, _) = await new GuardedTxn()
            .AsRead(NodeKey(prefix, node.Name), running.Count == 0 ? 0 : running.Kvs[0].ModRevision)
            .Put(NodeKey(prefix, node.Name), JsonSerializer.Serialize(planned, Json))
            .CommitAsync(etcd, cancellationToken);
        return written ? new ApplyOutcome(true, actions, null) : new ApplyOutcome(false, actions, $"node {node.Name} changed while it was being applied");
    }

    public void Dispose()
    {
    }

    private static List<ContainerAction> Diff(NodePlan plan, IReadOnlyList<SimulatedContainer> running)
    {
        var actions = new List<ContainerAction>();
        foreach (var container in plan.Containers.Where(c => c.Port != 0))
        {
            var current = running.FirstOrDefault(r => r.ComposeService == container.ComposeService);
            actions.Add(current switch
            {
                null => new ContainerAction(ActionKind.Create, container.ComposeService, null, "not running"),
                _ when current.ConfigHash != container.ConfigHash => new ContainerAction(ActionKind.Recreate, container.ComposeService, current.ComposeService, "configuration changed"),
                _ => new ContainerAction(ActionKind.Keep, container.ComposeService, current.ComposeService, "up to date"),
            });
        }

        actions.AddRange(running.Where(r => !plan.Containers.Any(c => c.ComposeService == r.ComposeService))
            .Select(r => new ContainerAction(ActionKind.Remove, r.ComposeService, r.ComposeService, "no longer planned")));
        return actions;
    }

    private async Task TakeFaultAsync(CancellationToken cancellationToken)
    {
        var key = FaultKey(prefix, node.Name);
        var planted = await etcd.GetAsync(key, cancellationToken);
        if (planted.Count == 0)
        {
            return;
        }

        // Taken once: the first caller to delete it gets it.
        var (taken, _) = await new GuardedTxn().Unchanged(key, planted.Kvs[0].ModRevision).Delete(key).CommitAsync(etcd, cancellationToken);
        if (!taken)
        {
            return;
        }

        throw Enum.Parse<SimulatedFault>(planted.Kvs[0].Value.ToStringUtf8()) == SimulatedFault.Unreachable
            ? new ServerUnreachableException($"the simulated engine of node {node.Name} could not be reached")
            : new InvalidOperationException($"the simulated engine of node {node.Name} refused the plan");
    }
}
