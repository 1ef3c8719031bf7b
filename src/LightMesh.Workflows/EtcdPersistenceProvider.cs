using Mvccpb;
using LightMesh.Core;
using LightMesh.Etcd;
using WorkflowCore.Interface;
using WorkflowCore.Models;

namespace LightMesh.Workflows;

/// <summary>
/// WorkflowCore's persistence on etcd: instances, events, subscriptions and errors as JSON under <c>workflows/</c>,
/// every write fenced by the leader's term so a deposed controller cannot change a workflow.
/// </summary>
public sealed partial class EtcdPersistenceProvider : IPersistenceProvider
{
    // For the calls WorkflowCore makes without a token: no etcd call may hang a worker for ever.
    private static readonly TimeSpan UntokenedCallTimeout = TimeSpan.FromSeconds(10);

    private readonly EtcdConnection _etcd;
    private readonly WorkflowFence _fence;
    private readonly WorkflowJson _json;
    private readonly TimeProvider _time;

    public EtcdPersistenceProvider(EtcdConnection etcd, WorkflowFence fence, IReadOnlyCollection<Type> dataTypes)
        : this(etcd, fence, dataTypes, TimeProvider.System)
    {
    }

    /// <param name="time">The clock subscription tokens expire by.</param>
    public EtcdPersistenceProvider(EtcdConnection etcd, WorkflowFence fence, IReadOnlyCollection<Type> dataTypes, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        ArgumentNullException.ThrowIfNull(fence);
        ArgumentNullException.ThrowIfNull(time);
        _etcd = etcd;
        _fence = fence;
        _json = new WorkflowJson(dataTypes);
        _time = time;
    }

    /// <summary>False: WorkflowCore then polls <see cref="GetRunnableInstances"/> and <see cref="GetRunnableEvents"/> instead.</summary>
    public bool SupportsScheduledCommands => false;

    public Task ScheduleCommand(ScheduledCommand command) =>
        throw new NotSupportedException("the etcd workflow store does not keep scheduled commands (SupportsScheduledCommands is false)");

    public Task ProcessCommands(DateTimeOffset asOf, Func<ScheduledCommand, Task> action, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the etcd workflow store does not keep scheduled commands (SupportsScheduledCommands is false)");

    public async Task PersistErrors(IEnumerable<ExecutionError> errors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var txn = new GuardedTxn();
        var any = false;
        foreach (var error in errors)
        {
            var key = _etcd.Keys.WorkflowError(NewId());
            txn.Put(key, _json.Write(error, key));
            any = true;
        }

        // WorkflowCore reports errors after every execution, nearly always none.
        if (any)
        {
            await WriteAsync(txn, "the workflow errors", cancellationToken);
        }
    }

    /// <summary>Nothing to create: etcd keys need no schema.</summary>
    public void EnsureStoreExists()
    {
    }

    private static string NewId() => Guid.NewGuid().ToString("N");

    private CancellationTokenSource UntokenedCall() => new(UntokenedCallTimeout, _time);

    private async Task<(T? Value, long ModRevision)> GetAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        var response = await _etcd.GetAsync(key, cancellationToken);
        return response.Count == 0 ? (null, 0) : (_json.Read<T>(response.Kvs[0].Value.ToStringUtf8(), key), response.Kvs[0].ModRevision);
    }

    /// <summary>Every record under <paramref name="prefix"/> with its id, oldest first.</summary>
    private async Task<List<(string Id, T Value)>> ListAsync<T>(string prefix, CancellationToken cancellationToken)
    {
        var response = await _etcd.RangePrefixAsync(prefix, 0, cancellationToken);

        // Creation order, as WorkflowCore's own stores keep: GetFirstOpenSubscription hands out the oldest first.
        return response.Kvs.OrderBy(kv => kv.CreateRevision).Select(kv => Read<T>(prefix, kv)).ToList();
    }

    private (string Id, T Value) Read<T>(string prefix, KeyValue kv)
    {
        var key = kv.Key.ToStringUtf8();
        return (key[prefix.Length..], _json.Read<T>(kv.Value.ToStringUtf8(), key));
    }

    /// <summary>Commits a transaction whose only guards are "absent" ones on new keys.</summary>
    private async Task WriteAsync(GuardedTxn txn, string what, CancellationToken cancellationToken)
    {
        var (written, _) = await _fence.CommitAsync(_etcd, txn, cancellationToken);
        if (!written)
        {
            throw new LightMeshException($"{what}: not written, a record with the same id already exists (records are never overwritten on create)");
        }
    }

    /// <summary>
    /// Changes the record at <paramref name="key"/> by compare-and-set, reading again when another writer got in
    /// between. False when the record is missing or <paramref name="change"/> declines.
    /// </summary>
    private async Task<bool> UpdateAsync<T>(string key, Func<T, bool> change, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (value, modRevision) = await GetAsync<T>(key, cancellationToken);
            if (value is null || !change(value))
            {
                return false;
            }

            var txn = new GuardedTxn().Unchanged(key, modRevision).Put(key, _json.Write(value, key));
            if ((await _fence.CommitAsync(_etcd, txn, cancellationToken)).Succeeded)
            {
                return true;
            }
        }
    }
}
