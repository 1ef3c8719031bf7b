using LightMesh.Etcd;
using WorkflowCore.Models;

namespace LightMesh.Workflows;

/// <summary>What <see cref="EtcdPersistenceProvider.PurgeAsync"/> removed.</summary>
public sealed record PurgeResult(int Events, int Workflows, int Errors);

public sealed partial class EtcdPersistenceProvider
{
    /// <summary>
    /// Deletes what no one will read again: events from before <paramref name="olderThan"/> that were processed or that
    /// no subscription waits for (a wake-up that came after its workflow ended is never processed), workflows that
    /// completed or were terminated before it, and errors logged before it. WorkflowCore never deletes anything, and
    /// its polls read whole prefixes, so without this every poll grows slower with every release ever run. Only a wait
    /// with an effective date older than <paramref name="olderThan"/> could miss a purged event.
    /// </summary>
    public async Task<PurgeResult> PurgeAsync(DateTime olderThan, CancellationToken cancellationToken)
    {
        var before = olderThan.ToUniversalTime();
        var waits = (await ListAsync<EventSubscription>(_etcd.Keys.WorkflowSubscriptions, cancellationToken)).Select(s => s.Value).ToList();
        var events = (await ListAsync<Event>(_etcd.Keys.WorkflowEvents, cancellationToken))
            .Where(e => e.Value.EventTime < before && (e.Value.IsProcessed || !waits.Any(s => Takes(s, e.Value))))
            .ToList();
        foreach (var (id, _) in events)
        {
            await _fence.CommitAsync(_etcd, new GuardedTxn().Delete(_etcd.Keys.WorkflowEvent(id)), cancellationToken);
        }

        var workflows = (await ListAsync<WorkflowInstance>(_etcd.Keys.WorkflowInstances, cancellationToken))
            .Where(w => w.Value.Status is WorkflowStatus.Complete or WorkflowStatus.Terminated && (w.Value.CompleteTime ?? w.Value.CreateTime) < before)
            .ToList();
        foreach (var (id, _) in workflows)
        {
            await _fence.CommitAsync(_etcd, new GuardedTxn().Delete(_etcd.Keys.WorkflowInstance(id)).Delete(_etcd.Keys.RunnableWorkflow(id)), cancellationToken);
        }

        var errors = (await ListAsync<ExecutionError>(_etcd.Keys.WorkflowErrors, cancellationToken)).Where(e => e.Value.ErrorTime < before).ToList();
        foreach (var (id, _) in errors)
        {
            await _fence.CommitAsync(_etcd, new GuardedTxn().Delete(_etcd.Keys.WorkflowError(id)), cancellationToken);
        }

        return new PurgeResult(events.Count, workflows.Count, errors.Count);
    }
}
