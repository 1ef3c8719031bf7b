using LightMesh.Etcd;
using WorkflowCore.Models;

namespace LightMesh.Workflows;

public sealed partial class EtcdPersistenceProvider
{
    public async Task<string> CreateEvent(Event newEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newEvent);
        newEvent.Id = string.IsNullOrEmpty(newEvent.Id) ? NewId() : newEvent.Id;
        var key = _etcd.Keys.WorkflowEvent(newEvent.Id);
        await WriteAsync(new GuardedTxn().Absent(key).Put(key, _json.Write(newEvent, key)), key, cancellationToken);
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
        await _fence.CommitAsync(_etcd, new GuardedTxn().Put(key, _json.Write(published, key)), cancellationToken);
    }

    public async Task<Event?> GetEvent(string id, CancellationToken cancellationToken = default) =>
        (await GetAsync<Event>(_etcd.Keys.WorkflowEvent(id), cancellationToken)).Value;

    /// <summary>
    /// The events not yet processed whose time has come and that a subscription waits for (one of the same name and key
    /// that began at or before the event). WorkflowCore leaves an event no subscription takes unprocessed, for a
    /// subscription yet to come, and that subscription finds it itself when it is made; but its poller queues every
    /// unprocessed event again each second, and its event worker handles two at a time. A wake-up that came after its
    /// release's workflow ended (or before the wait it would have ended) is such an event: one per release, they made
    /// the worker's queue outgrow it, and releases waited minutes for their own wake-ups.
    /// </summary>
    public async Task<IEnumerable<string>> GetRunnableEvents(DateTime asAt, CancellationToken cancellationToken = default)
    {
        var now = asAt.ToUniversalTime();
        var pending = (await ListAsync<Event>(_etcd.Keys.WorkflowEvents, cancellationToken))
            .Where(e => !e.Value.IsProcessed && e.Value.EventTime <= now)
            .ToList();
        if (pending.Count == 0)
        {
            return [];
        }

        var waits = (await ListAsync<EventSubscription>(_etcd.Keys.WorkflowSubscriptions, cancellationToken)).Select(s => s.Value).ToList();
        return pending.Where(e => e.Value.EventData is ActivityResult || waits.Any(s => Takes(s, e.Value))).Select(e => e.Id).ToList();
    }

    /// <summary>True when <paramref name="subscription"/> would take <paramref name="published"/>, as WorkflowCore matches them.</summary>
    private static bool Takes(EventSubscription subscription, Event published) =>
        subscription.EventName == published.EventName && subscription.EventKey == published.EventKey && subscription.SubscribeAsOf <= published.EventTime;

    /// <summary>Every event of that name and key at or after <paramref name="asOf"/>, processed or not.</summary>
    public async Task<IEnumerable<string>> GetEvents(string eventName, string eventKey, DateTime asOf, CancellationToken cancellationToken = default) =>
        (await ListAsync<Event>(_etcd.Keys.WorkflowEvents, cancellationToken))
            .Where(e => e.Value.EventName == eventName && e.Value.EventKey == eventKey && e.Value.EventTime >= asOf)
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
}
