using System.Globalization;
using LightMesh.Core;
using LightMesh.Etcd;
using WorkflowCore.Models;

namespace LightMesh.Workflows;

public sealed partial class EtcdPersistenceProvider
{
    public async Task<string> CreateNewWorkflow(WorkflowInstance workflow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        workflow.Id = string.IsNullOrEmpty(workflow.Id) ? NewId() : workflow.Id;
        var key = _etcd.Keys.WorkflowInstance(workflow.Id);
        await WriteAsync(Index(new GuardedTxn().Absent(key).Put(key, _json.Write(workflow, key)), workflow), key, cancellationToken);
        return workflow.Id;
    }

    public Task PersistWorkflow(WorkflowInstance workflow, CancellationToken cancellationToken = default) =>
        PersistWorkflow(workflow, null, cancellationToken);

    /// <summary>Writes the instance, its runnable index entry and its new subscriptions in one transaction.</summary>
    public async Task PersistWorkflow(WorkflowInstance workflow, List<EventSubscription>? subscriptions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var key = _etcd.Keys.WorkflowInstance(workflow.Id);

        // Last writer wins: WorkflowCore holds the instance's distributed lock while it works on it.
        var txn = Index(new GuardedTxn().Put(key, _json.Write(workflow, key)), workflow);
        foreach (var subscription in subscriptions ?? [])
        {
            subscription.Id = string.IsNullOrEmpty(subscription.Id) ? NewId() : subscription.Id;
            var subscriptionKey = _etcd.Keys.WorkflowSubscription(subscription.Id);
            txn.Absent(subscriptionKey).Put(subscriptionKey, _json.Write(subscription, subscriptionKey));
        }

        await WriteAsync(txn, $"{key} and its subscriptions", cancellationToken);
    }

    /// <summary>The ids of the instances due at <paramref name="asAt"/>, the longest overdue first.</summary>
    public async Task<IEnumerable<string>> GetRunnableInstances(DateTime asAt, CancellationToken cancellationToken = default)
    {
        var now = asAt.ToUniversalTime().Ticks;
        var prefix = _etcd.Keys.RunnableWorkflows;
        var response = await _etcd.RangePrefixAsync(prefix, 0, cancellationToken);
        return response.Kvs
            .Select(kv => (Id: kv.Key.ToStringUtf8()[prefix.Length..], Due: Ticks(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8())))
            .Where(r => r.Due <= now)
            .OrderBy(r => r.Due)
            .Select(r => r.Id)
            .ToList();
    }

    public async Task<WorkflowInstance?> GetWorkflowInstance(string Id, CancellationToken cancellationToken = default) =>
        (await GetAsync<WorkflowInstance>(_etcd.Keys.WorkflowInstance(Id), cancellationToken)).Value;

    public async Task<IEnumerable<WorkflowInstance>> GetWorkflowInstances(IEnumerable<string>? ids, CancellationToken cancellationToken = default)
    {
        if (ids is null)
        {
            return [];
        }

        var found = await Task.WhenAll(ids.Select(id => GetWorkflowInstance(id, cancellationToken)));
        return found.OfType<WorkflowInstance>().ToList();
    }

    [Obsolete("WorkflowCore's own search API; kept for IPersistenceProvider and reads every instance")]
    public async Task<IEnumerable<WorkflowInstance>> GetWorkflowInstances(WorkflowStatus? status, string? type, DateTime? createdFrom, DateTime? createdTo, int skip, int take)
    {
        using var timeout = UntokenedCall();
        var all = await ListAsync<WorkflowInstance>(_etcd.Keys.WorkflowInstances, timeout.Token);
        return all.Select(i => i.Value)
            .Where(w => status is null || w.Status == status)
            .Where(w => string.IsNullOrEmpty(type) || w.WorkflowDefinitionId == type)
            .Where(w => createdFrom is null || w.CreateTime >= createdFrom)
            .Where(w => createdTo is null || w.CreateTime <= createdTo)
            .Skip(skip)
            .Take(take)
            .ToList();
    }

    /// <summary>Keeps the runnable index in step with the instance: present exactly while it has a next execution.</summary>
    private GuardedTxn Index(GuardedTxn txn, WorkflowInstance workflow)
    {
        var key = _etcd.Keys.RunnableWorkflow(workflow.Id);
        return workflow.NextExecution is { } next ? txn.Put(key, next.ToString(CultureInfo.InvariantCulture)) : txn.Delete(key);
    }

    private static long Ticks(string key, string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks)
            ? ticks
            : throw new LightMeshException($"{key} holds '{value}', not a next execution time in ticks");
}
