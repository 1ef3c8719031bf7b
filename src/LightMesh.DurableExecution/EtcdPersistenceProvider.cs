using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Core;
using LightMesh.Etcd;
using KeyValue = Mvccpb.KeyValue;
using WorkflowCore.Interface;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution;

/// <summary>
/// WorkflowCore's persistence on etcd: instances, events, subscriptions and errors as JSON under <c>workflows/</c>,
/// every write fenced by the leader's term so a deposed controller cannot change a workflow.
/// </summary>
public sealed class EtcdPersistenceProvider : IPersistenceProvider
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

    /// <summary>Where the events are kept, one key each: a watch on it sees every event published.</summary>
    public string EventsPrefix => _etcd.Keys.WorkflowEvents;

    /// <summary>Where the subscriptions (the waits for an event) are kept, one key each.</summary>
    public string SubscriptionsPrefix => _etcd.Keys.WorkflowSubscriptions;

    /// <summary>The event stored at <paramref name="key"/> as <paramref name="json"/> (what a watch on <see cref="EventsPrefix"/> delivers).</summary>
    public Event ReadEvent(string key, string json) => _json.Read<Event>(json, key);

    /// <summary>The subscription stored at <paramref name="key"/> as <paramref name="json"/>.</summary>
    public EventSubscription ReadSubscription(string key, string json) => _json.Read<EventSubscription>(json, key);

    /// <summary>
    /// etcd keys need no schema; what a store written before the index by name and key holds is indexed here, once per
    /// start of a workflow host (WorkflowCore calls this as its host starts).
    /// </summary>
    public void EnsureStoreExists()
    {
        using var timeout = UntokenedCall();
        IndexStoredAsync(timeout.Token).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Gives every stored event and subscription its entry in the index by name and key (<see cref="KeyLayout.WorkflowEventsFor"/>)
    /// if it has none: events and subscriptions stored before the index existed. Returns how many it indexed.
    /// </summary>
    public async Task<int> IndexStoredAsync(CancellationToken cancellationToken)
    {
        var indexed = (await _etcd.RangePrefixAsync(_etcd.Keys.WorkflowEventIndex, 0, cancellationToken)).Kvs
            .Concat((await _etcd.RangePrefixAsync(_etcd.Keys.WorkflowSubscriptionIndex, 0, cancellationToken)).Kvs)
            .Select(kv => kv.Key.ToStringUtf8())
            .ToHashSet(StringComparer.Ordinal);
        var missing = (await IndexKeysAsync(_etcd.Keys.WorkflowEvents, EventIndexKey, cancellationToken))
            .Concat(await IndexKeysAsync(_etcd.Keys.WorkflowSubscriptions, SubscriptionIndexKey, cancellationToken))
            .Where(key => !indexed.Contains(key))
            .ToList();
        foreach (var key in missing)
        {
            await _fence.CommitAsync(_etcd, new GuardedTxn().Put(key, ""), cancellationToken);
        }

        return missing.Count;
    }

    /// <summary>
    /// The index key of each record under <paramref name="prefix"/>, from its name and key alone: the event's data may be
    /// of a type this host does not read, and indexing must not stop a host from starting.
    /// </summary>
    private async Task<IEnumerable<string>> IndexKeysAsync(string prefix, Func<string, string, string, string> indexKey, CancellationToken cancellationToken) =>
        (await _etcd.RangePrefixAsync(prefix, 0, cancellationToken)).Kvs.Select(kv =>
        {
            var record = JsonNode.Parse(kv.Value.Span) ?? throw new LightMeshException($"{kv.Key.ToStringUtf8()} holds no workflow record");
            return indexKey(record["eventName"]?.GetValue<string>() ?? "", record["eventKey"]?.GetValue<string>() ?? "", kv.Key.ToStringUtf8()[prefix.Length..]);
        });

    private string EventIndexKey(string eventName, string eventKey, string id) => _etcd.Keys.WorkflowEventsFor(eventName, eventKey) + id;

    private string SubscriptionIndexKey(string eventName, string eventKey, string id) => _etcd.Keys.WorkflowSubscriptionsFor(eventName, eventKey) + id;

    private string IndexKey(Event published) => EventIndexKey(published.EventName, published.EventKey, published.Id);

    private string IndexKey(EventSubscription subscription) => SubscriptionIndexKey(subscription.EventName, subscription.EventKey, subscription.Id);

    /// <summary>The records an index folder names, oldest first: one small read of the index, then one read per record still there.</summary>
    private async Task<List<T>> ListIndexedAsync<T>(string index, Func<string, string> keyOf, CancellationToken cancellationToken)
    {
        var ids = (await _etcd.RangePrefixAsync(index, 0, cancellationToken)).Kvs.Select(kv => kv.Key.ToStringUtf8()[index.Length..]);
        var found = await Task.WhenAll(ids.Select(async id => (Key: keyOf(id), Read: await _etcd.GetAsync(keyOf(id), cancellationToken))));
        return found.Where(f => f.Read.Count > 0)
            .OrderBy(f => f.Read.Kvs[0].CreateRevision)
            .Select(f => _json.Read<T>(f.Read.Kvs[0].Value.ToStringUtf8(), f.Key))
            .ToList();
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
            txn.Absent(subscriptionKey).Put(subscriptionKey, _json.Write(subscription, subscriptionKey)).Put(IndexKey(subscription), "");
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

    public async Task<string> CreateEvent(Event newEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newEvent);
        newEvent.Id = string.IsNullOrEmpty(newEvent.Id) ? NewId() : newEvent.Id;
        var key = _etcd.Keys.WorkflowEvent(newEvent.Id);
        await WriteAsync(new GuardedTxn().Absent(key).Put(key, _json.Write(newEvent, key)).Put(IndexKey(newEvent), ""), key, cancellationToken);
        return newEvent.Id;
    }

    /// <summary>
    /// Writes <paramref name="published"/> under its id, replacing the event with that id, processed or not: one event
    /// per id however often it is published. WorkflowCore keeps every event it is given and, before it delivers one,
    /// makes every older unprocessed event of the same name and key go first; events published faster than that slow
    /// work drains them (wake-ups while etcd is away, while no controller leads) left a release unwoken for minutes.
    /// </summary>
    public async Task PublishEvent(Event published, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(published);
        ArgumentException.ThrowIfNullOrEmpty(published.Id);
        var key = _etcd.Keys.WorkflowEvent(published.Id);
        await _fence.CommitAsync(_etcd, new GuardedTxn().Put(key, _json.Write(published, key)).Put(IndexKey(published), ""), cancellationToken);
    }

    public async Task<Event?> GetEvent(string id, CancellationToken cancellationToken = default) =>
        (await GetAsync<Event>(_etcd.Keys.WorkflowEvent(id), cancellationToken)).Value;

    /// <summary>
    /// The events not yet processed whose time has come and that a subscription waits for (one of the same name and key
    /// that began at or before the event; an activity's result, whatever the wait's date). WorkflowCore leaves an event
    /// no subscription takes unprocessed, for a subscription yet to come, and that subscription finds it itself when it
    /// is made; but its poller queues every unprocessed event again each second, and its event worker handles two at a
    /// time. A wake-up that came after its release's workflow ended (or before the wait it would have ended) is such an
    /// event: one per release, they made the worker's queue outgrow it, and releases waited minutes for their own
    /// wake-ups.
    /// <para>
    /// Those wake-ups are kept an hour (<see cref="PurgeAsync"/>), and each poll read and parsed every one of them:
    /// with no release waiting, no event can be taken, so then the poll reads none (a count of the waits, not a read).
    /// </para>
    /// </summary>
    public async Task<IEnumerable<string>> GetRunnableEvents(DateTime asAt, CancellationToken cancellationToken = default)
    {
        if (await _etcd.CountPrefixAsync(_etcd.Keys.WorkflowSubscriptions, cancellationToken) == 0)
        {
            return [];
        }

        var now = asAt.ToUniversalTime();
        var pending = (await ListAsync<Event>(_etcd.Keys.WorkflowEvents, cancellationToken))
            .Where(e => !e.Value.IsProcessed && e.Value.EventTime <= now)
            .ToList();
        if (pending.Count == 0)
        {
            return [];
        }

        // An activity's result goes to its wait whatever the wait's date: WorkflowCore hands it over by the wait's id.
        var waits = (await ListAsync<EventSubscription>(_etcd.Keys.WorkflowSubscriptions, cancellationToken)).Select(s => s.Value).ToList();
        return pending
            .Where(e => waits.Any(s => Takes(s, e.Value) || e.Value.EventData is ActivityResult && s.EventName == e.Value.EventName && s.EventKey == e.Value.EventKey))
            .Select(e => e.Id)
            .ToList();
    }

    /// <summary>True when <paramref name="subscription"/> would take <paramref name="published"/>, as WorkflowCore matches them.</summary>
    public static bool Takes(EventSubscription subscription, Event published) =>
        subscription.EventName == published.EventName && subscription.EventKey == published.EventKey && subscription.SubscribeAsOf <= published.EventTime;

    /// <summary>Every event of that name and key at or after <paramref name="asOf"/>, processed or not.</summary>
    public async Task<IEnumerable<string>> GetEvents(string eventName, string eventKey, DateTime asOf, CancellationToken cancellationToken = default) =>
        (await ListIndexedAsync<Event>(_etcd.Keys.WorkflowEventsFor(eventName, eventKey), _etcd.Keys.WorkflowEvent, cancellationToken))
            .Where(e => e.EventName == eventName && e.EventKey == eventKey && e.EventTime >= asOf)
            .Select(e => e.Id)
            .ToList();

    public Task MarkEventProcessed(string id, CancellationToken cancellationToken = default) => MarkEventAsync(id, true, cancellationToken);

    public Task MarkEventUnprocessed(string id, CancellationToken cancellationToken = default) => MarkEventAsync(id, false, cancellationToken);

    // A missing event is ignored, as WorkflowCore's memory store does.
    private Task<bool> MarkEventAsync(string id, bool processed, CancellationToken cancellationToken) =>
        UpdateAsync<Event>(_etcd.Keys.WorkflowEvent(id), e =>
        {
            var changed = e.IsProcessed != processed;
            e.IsProcessed = processed;
            return changed;
        }, cancellationToken);

    public async Task<string> CreateEventSubscription(EventSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        subscription.Id = string.IsNullOrEmpty(subscription.Id) ? NewId() : subscription.Id;
        var key = _etcd.Keys.WorkflowSubscription(subscription.Id);
        await WriteAsync(new GuardedTxn().Absent(key).Put(key, _json.Write(subscription, key)).Put(IndexKey(subscription), ""), key, cancellationToken);
        return subscription.Id;
    }

    /// <summary>The subscriptions to that name and key that began at or before <paramref name="asOf"/>.</summary>
    public async Task<IEnumerable<EventSubscription>> GetSubscriptions(string eventName, string eventKey, DateTime asOf, CancellationToken cancellationToken = default) =>
        (await ListIndexedAsync<EventSubscription>(_etcd.Keys.WorkflowSubscriptionsFor(eventName, eventKey), _etcd.Keys.WorkflowSubscription, cancellationToken))
            .Where(s => s.EventName == eventName && s.EventKey == eventKey && s.SubscribeAsOf <= asOf)
            .ToList();

    /// <summary>Deletes the subscription and its index entry (read first, for its name and key).</summary>
    public async Task TerminateSubscription(string eventSubscriptionId, CancellationToken cancellationToken = default)
    {
        var key = _etcd.Keys.WorkflowSubscription(eventSubscriptionId);
        var txn = new GuardedTxn().Delete(key);
        if ((await GetAsync<EventSubscription>(key, cancellationToken)).Value is { } subscription)
        {
            txn.Delete(SubscriptionIndexKey(subscription.EventName, subscription.EventKey, eventSubscriptionId));
        }

        await WriteAsync(txn, $"subscription {eventSubscriptionId}", cancellationToken);
    }

    public async Task<EventSubscription?> GetSubscription(string eventSubscriptionId, CancellationToken cancellationToken = default) =>
        (await GetAsync<EventSubscription>(_etcd.Keys.WorkflowSubscription(eventSubscriptionId), cancellationToken)).Value;

    /// <summary>The oldest matching subscription no worker holds a token for.</summary>
    public async Task<EventSubscription?> GetFirstOpenSubscription(string eventName, string eventKey, DateTime asOf, CancellationToken cancellationToken = default) =>
        (await GetSubscriptions(eventName, eventKey, asOf, cancellationToken)).FirstOrDefault(s => s.ExternalToken is null);

    /// <summary>
    /// Hands the subscription to <paramref name="workerId"/>; false when it is gone or another worker holds an unexpired
    /// token. A compare-and-set, so two workers racing for it cannot both win.
    /// </summary>
    public Task<bool> SetSubscriptionToken(string eventSubscriptionId, string token, string workerId, DateTime expiry, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return UpdateAsync<EventSubscription>(_etcd.Keys.WorkflowSubscription(eventSubscriptionId), s =>
        {
            var heldByAnother = s.ExternalToken is not null && s.ExternalWorkerId != workerId && (s.ExternalTokenExpiry is null || s.ExternalTokenExpiry > now);
            if (heldByAnother)
            {
                return false;
            }

            s.ExternalToken = token;
            s.ExternalWorkerId = workerId;
            s.ExternalTokenExpiry = expiry;
            return true;
        }, cancellationToken);
    }

    /// <summary>Gives the subscription up; like WorkflowCore's memory store, a missing one or another token is the caller's error.</summary>
    public async Task ClearSubscriptionToken(string eventSubscriptionId, string token, CancellationToken cancellationToken = default)
    {
        var cleared = await UpdateAsync<EventSubscription>(_etcd.Keys.WorkflowSubscription(eventSubscriptionId), s =>
        {
            if (s.ExternalToken != token)
            {
                throw new InvalidOperationException($"subscription {eventSubscriptionId} is not held by that token");
            }

            s.ExternalToken = null;
            s.ExternalWorkerId = null;
            s.ExternalTokenExpiry = null;
            return true;
        }, cancellationToken);

        if (!cleared)
        {
            throw new InvalidOperationException($"subscription {eventSubscriptionId} was not found");
        }
    }

    /// <summary>
    /// Deletes what no one will read again: events from before <paramref name="olderThan"/> that were processed or that
    /// no subscription waits for (a wake-up that came after its workflow ended is never processed), workflows that
    /// completed or were terminated before it, and errors logged before it. WorkflowCore never deletes anything, so
    /// without this etcd keeps every record of every release ever run. Only a wait with an effective date older than
    /// <paramref name="olderThan"/> could miss a purged event.
    /// <para>
    /// A record that cannot be read (written by a version that knew a data type this one does not) is kept and named in
    /// the result, and the rest is purged all the same: one such record must not stop every purge. While a subscription
    /// cannot be read, no event is purged that a subscription could still take.
    /// </para>
    /// </summary>
    public async Task<PurgeResult> PurgeAsync(DateTime olderThan, CancellationToken cancellationToken)
    {
        var before = olderThan.ToUniversalTime();
        var unreadable = new List<string>();
        var waits = (await ListReadableAsync<EventSubscription>(_etcd.Keys.WorkflowSubscriptions, unreadable, cancellationToken)).Select(s => s.Value).ToList();
        var allWaitsKnown = unreadable.Count == 0;
        var events = (await ListReadableAsync<Event>(_etcd.Keys.WorkflowEvents, unreadable, cancellationToken))
            .Where(e => e.Value.EventTime < before && (e.Value.IsProcessed || allWaitsKnown && !waits.Any(s => Takes(s, e.Value))))
            .ToList();
        foreach (var (id, published) in events)
        {
            await _fence.CommitAsync(_etcd, new GuardedTxn().Delete(_etcd.Keys.WorkflowEvent(id)).Delete(EventIndexKey(published.EventName, published.EventKey, id)), cancellationToken);
        }

        var workflows = (await ListReadableAsync<WorkflowInstance>(_etcd.Keys.WorkflowInstances, unreadable, cancellationToken))
            .Where(w => w.Value.Status is WorkflowStatus.Complete or WorkflowStatus.Terminated && (w.Value.CompleteTime ?? w.Value.CreateTime) < before)
            .ToList();
        foreach (var (id, _) in workflows)
        {
            await _fence.CommitAsync(_etcd, new GuardedTxn().Delete(_etcd.Keys.WorkflowInstance(id)).Delete(_etcd.Keys.RunnableWorkflow(id)), cancellationToken);
        }

        var errors = (await ListReadableAsync<ExecutionError>(_etcd.Keys.WorkflowErrors, unreadable, cancellationToken)).Where(e => e.Value.ErrorTime < before).ToList();
        foreach (var (id, _) in errors)
        {
            await _fence.CommitAsync(_etcd, new GuardedTxn().Delete(_etcd.Keys.WorkflowError(id)), cancellationToken);
        }

        return new PurgeResult(events.Count, workflows.Count, errors.Count, unreadable);
    }

    /// <summary>As <see cref="ListAsync"/>, leaving out each record that cannot be read as a <typeparamref name="T"/> and adding its key to <paramref name="unreadable"/>.</summary>
    private async Task<List<(string Id, T Value)>> ListReadableAsync<T>(string prefix, List<string> unreadable, CancellationToken cancellationToken)
    {
        var response = await _etcd.RangePrefixAsync(prefix, 0, cancellationToken);
        var read = new List<(string Id, T Value)>(response.Kvs.Count);
        foreach (var kv in response.Kvs.OrderBy(kv => kv.CreateRevision))
        {
            try
            {
                read.Add(Read<T>(prefix, kv));
            }
            catch (LightMeshException)
            {
                unreadable.Add(kv.Key.ToStringUtf8());
            }
        }

        return read;
    }
}

/// <summary>What <see cref="EtcdPersistenceProvider.PurgeAsync"/> removed.</summary>
/// <param name="Unreadable">The keys of the records kept because they could not be read.</param>
public sealed record PurgeResult(int Events, int Workflows, int Errors, IReadOnlyList<string> Unreadable);
