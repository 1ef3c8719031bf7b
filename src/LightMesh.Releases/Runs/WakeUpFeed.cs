using LightMesh.DurableExecution;
using LightMesh.Etcd;
using LightMesh.Etcd.Watching;
using LightMesh.Releases.Leadership;
using Microsoft.Extensions.Logging;
using WorkflowCore.Interface;
using WorkflowCore.Models;

namespace LightMesh.Releases.Runs;

/// <summary>
/// Hands a wake-up to the term's workflow host the moment etcd holds it, instead of at the host's next poll: an
/// operator's action taken on any controller, a timer, an analysis' outcome reach their release in milliseconds, with
/// the poll interval (a second by default) out of the path. It follows the events and the open subscriptions (the
/// releases waiting for one) as etcd tells of them, and queues an event that is due, unprocessed and taken by a
/// subscription it knows of, as the host's poll would (<see cref="EtcdPersistenceProvider.GetRunnableEvents"/>). The
/// poll stays: what this misses (a wait it has not heard of yet, a watch that broke) is found there, as before.
/// </summary>
public sealed class WakeUpFeed(
    EtcdPersistenceProvider workflows,
    EtcdConnection etcd,
    PrefixWatcher watcher,
    IQueueProvider queue,
    TimeProvider time,
    ILogger<WakeUpFeed> logger) : ITermLoop
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();

    // The open subscriptions by key: released when deleted (WorkflowCore deletes one as it delivers to it).
    private readonly Dictionary<string, EventSubscription> _waits = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The waits are known before the first event is judged: both follow their own prefix from then on.
            var waitsAt = await LoadAsync(workflows.SubscriptionsPrefix, cancellationToken);
            var eventsAt = await LoadAsync(workflows.EventsPrefix, cancellationToken);
            await Task.WhenAll(FollowAsync(workflows.SubscriptionsPrefix, waitsAt, cancellationToken), FollowAsync(workflows.EventsPrefix, eventsAt, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
    }

    /// <summary>Reads <paramref name="prefix"/> whole and takes in what it holds; returns the revision it was read at.</summary>
    private async Task<long> LoadAsync(string prefix, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var all = await etcd.RangePrefixAsync(prefix, 0, cancellationToken);
                await TakeAsync(prefix, [.. all.Kvs.Select(KeyChange.Of)], whole: true);
                return all.Header.Revision;
            }
            catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException && !cancellationToken.IsCancellationRequested)
            {
                Telemetry.Log.WakeUpFeedFailed(logger, prefix, RetryDelay, e);
                await Task.Delay(RetryDelay, time, cancellationToken);
            }
        }
    }

    private async Task FollowAsync(string prefix, long readAt, CancellationToken cancellationToken)
    {
        var from = readAt + 1;
        while (true)
        {
            try
            {
                await foreach (var update in watcher.WatchAsync(prefix, from, cancellationToken))
                {
                    switch (update)
                    {
                        case WatchChanges changes:
                            await TakeAsync(prefix, changes.Changes, whole: false);
                            from = changes.Revision + 1;
                            break;
                        case WatchResync resync:
                            await TakeAsync(prefix, resync.State, whole: true);
                            from = resync.Revision + 1;
                            break;
                    }
                }

                return;
            }
            catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException && !cancellationToken.IsCancellationRequested)
            {
                // A record this cannot read, or a watch etcd cancelled: the poll carries the wake-ups meanwhile.
                Telemetry.Log.WakeUpFeedFailed(logger, prefix, RetryDelay, e);
                await Task.Delay(RetryDelay, time, cancellationToken);
            }
        }
    }

    /// <summary>Takes in changes under <paramref name="prefix"/> (all it holds when <paramref name="whole"/>) and queues the events now runnable.</summary>
    private async Task TakeAsync(string prefix, IReadOnlyList<KeyChange> changes, bool whole)
    {
        List<string> runnable;
        lock (_lock)
        {
            runnable = prefix == workflows.SubscriptionsPrefix ? Waits(changes, whole) : Runnable(prefix, changes);
        }

        foreach (var id in runnable)
        {
            await queue.QueueWork(id, QueueType.Event);
        }
    }

    private List<string> Waits(IReadOnlyList<KeyChange> changes, bool whole)
    {
        if (whole)
        {
            _waits.Clear();
        }

        foreach (var change in changes)
        {
            if (change.Value is null)
            {
                _waits.Remove(change.Key);
            }
            else
            {
                _waits[change.Key] = workflows.ReadSubscription(change.Key, change.Value);
            }
        }

        // A new wait needs nothing from here: the host looks for the events it takes as it records it.
        return [];
    }

    private List<string> Runnable(string prefix, IReadOnlyList<KeyChange> changes)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var runnable = new List<string>();
        foreach (var change in changes)
        {
            if (change.Value is null)
            {
                continue;
            }

            var published = workflows.ReadEvent(change.Key, change.Value);
            if (!published.IsProcessed && published.EventTime <= now && _waits.Values.Any(w => EtcdPersistenceProvider.Takes(w, published)))
            {
                runnable.Add(change.Key[prefix.Length..]);
            }
        }

        return runnable;
    }
}
