using LightMesh.Etcd;
using WorkflowCore.Models;

namespace LightMesh.Workflows;

public sealed partial class EtcdPersistenceProvider
{
    public async Task<string> CreateEventSubscription(EventSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        subscription.Id = string.IsNullOrEmpty(subscription.Id) ? NewId() : subscription.Id;
        var key = _etcd.Keys.WorkflowSubscription(subscription.Id);
        await WriteAsync(new GuardedTxn().Absent(key).Put(key, _json.Write(subscription, key)), key, cancellationToken);
        return subscription.Id;
    }

    /// <summary>The subscriptions to that name and key that began at or before <paramref name="asOf"/>.</summary>
    public async Task<IEnumerable<EventSubscription>> GetSubscriptions(string eventName, string eventKey, DateTime asOf, CancellationToken cancellationToken = default) =>
        (await ListAsync<EventSubscription>(_etcd.Keys.WorkflowSubscriptions, cancellationToken))
            .Select(s => s.Value)
            .Where(s => s.EventName == eventName && s.EventKey == eventKey && s.SubscribeAsOf <= asOf)
            .ToList();

    public async Task TerminateSubscription(string eventSubscriptionId, CancellationToken cancellationToken = default) =>
        await WriteAsync(new GuardedTxn().Delete(_etcd.Keys.WorkflowSubscription(eventSubscriptionId)), $"subscription {eventSubscriptionId}", cancellationToken);

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
}
