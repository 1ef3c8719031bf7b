using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Releases;
using LightMesh.DurableExecution;
using LightMesh.Releases.Runs;

namespace LightMesh.Releases.Requests;

/// <summary>Who makes a write, for the event log of a release it overrides, and whether it overrides running releases.</summary>
public sealed record WriteRequest
{
    public required string Actor { get; init; }

    /// <summary>Change what running releases manage anyway: each is paused first, with an event naming the actor and the change.</summary>
    public bool Force { get; init; }
}

/// <summary>
/// The one place users' document writes go through: the HTTP API, and the CLI straight to etcd. The store refuses a
/// write that would change what a running release manages (<see cref="ManagedRoutes"/>); a forced one pauses each such
/// release through the decider (<see cref="RoutesChanged"/>, which wakes its workflow) before it is written, so the
/// release neither fights the change nor judges traffic it no longer shapes. Invalid input is refused before any
/// release is paused.
/// </summary>
public sealed class DocumentWrites(DocumentStore documents, ReleaseInputs inputs)
{
    /// <summary>For a caller without a controller (the CLI on etcd directly): releases are paused and woken in etcd, as any controller does.</summary>
    public static DocumentWrites ForEtcd(EtcdConnection etcd, TimeProvider time)
    {
        var waker = new WorkflowEventWaker(new EtcdPersistenceProvider(etcd, WorkflowFence.None, [typeof(ReleaseRunData)], time), time);
        return new DocumentWrites(new DocumentStore(etcd), new ReleaseInputs(new ReleaseStore(etcd), waker, time, null));
    }

    public async Task<WriteResult> ApplyAsync(IReadOnlyList<SourcedDocument> applied, WriteRequest request, CancellationToken cancellationToken) =>
        await WriteAsync(await documents.PlanApplyAsync(await documents.ReadAsync(cancellationToken), applied, cancellationToken), request, null, cancellationToken);

    /// <summary>What <see cref="ApplyAsync"/> would do, validated against the store as it would be, writing nothing (<c>apply --dry-run</c>).</summary>
    public async Task<WriteResult> PreviewApplyAsync(IReadOnlyList<SourcedDocument> applied, WriteRequest request, CancellationToken cancellationToken) =>
        DocumentStore.Preview(await documents.PlanApplyAsync(await documents.ReadAsync(cancellationToken), applied, cancellationToken), request.Force);

    public async Task<WriteResult> SetWeightsAsync(string virtualService, string? routeName, IReadOnlyList<SubsetWeight> weights, WriteRequest request, CancellationToken cancellationToken) =>
        await WriteAsync(await documents.PlanWeightsAsync(virtualService, routeName, weights, cancellationToken), request, weights, cancellationToken);

    public async Task<WriteResult> DeleteAsync(DocumentKind kind, string name, WriteRequest request, CancellationToken cancellationToken) =>
        await WriteAsync(await documents.PlanDeleteAsync(kind, name, cancellationToken), request, null, cancellationToken);

    private async Task<WriteResult> WriteAsync(DocumentWritePlan plan, WriteRequest request, IReadOnlyList<SubsetWeight>? weights, CancellationToken cancellationToken)
    {
        if (plan.Refused is null && plan.Managed.Count > 0 && request.Force)
        {
            foreach (var owned in plan.Managed.GroupBy(f => f.ReleaseId, StringComparer.Ordinal))
            {
                var change = ManagedRoutes.Describe([.. owned], weights);
                var paused = await inputs.ApplyAsync(owned.Key, _ => new RoutesChanged(request.Actor, change), cancellationToken);
                if (paused.Outcome != InputOutcome.Applied)
                {
                    // A rolling back or ended release takes no input: the change would race its last moves.
                    return WriteResult.Conflict($"release {owned.Key} could not be paused for the change ({paused.Reason}); nothing was written");
                }
            }
        }

        return await documents.CommitAsync(plan, overrideReleases: request.Force, cancellationToken);
    }
}
