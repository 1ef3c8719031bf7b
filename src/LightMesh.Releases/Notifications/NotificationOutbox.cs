using System.Threading.Channels;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.Etcd.Watching;
using LightMesh.Releases.Telemetry;
using LightMesh.DurableExecution;
using Microsoft.Extensions.Logging;
using LightMesh.Releases.Leadership;

namespace LightMesh.Releases.Notifications;

/// <summary>
/// Tells each release's notification URLs of its transitions, for one leadership term. The release's own event log in
/// etcd is the outbox: <c>notified/{release}</c> counts the events already told, and the leader tells the rest, in order,
/// then moves the count (a write fenced by its term) after each event. Whichever controller saved a transition, and
/// whether or not a controller died before telling it, the leading one tells it: at least once, never lost; a
/// controller that stops records what it told before it goes, so only one that dies between telling an event and
/// recording it has the next leader tell it again. A receiver can tell a repeat by the release id and the event's
/// <c>sequence</c>. Telling never holds a release back.
/// </summary>
public sealed class NotificationOutbox(ReleaseStore releases, PrefixWatcher watcher, NotificationSender sender, LeaderTerm leader, TimeProvider time, ILogger<NotificationOutbox> logger) : ITermLoop
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long recording what was told may take, the term's end notwithstanding.</summary>
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<string> _due = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, (int Count, long ModRevision)> _told = new(StringComparer.Ordinal);
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Tells until the term ends; if etcd fails it, starts again from what etcd says was told.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await TellAllAsync(cancellationToken);
            }
            catch (NotLeaderException)
            {
                return;
            }
            catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException && !cancellationToken.IsCancellationRequested)
            {
                Log.NotificationsInterrupted(logger, e);
                await Task.Delay(RetryDelay, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task TellAllAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _told.Clear();
            _queued.Clear();
        }

        // The counts first: only this term writes them now, so the releases read after them cannot be ahead of them.
        foreach (var (id, told) in await releases.NotifiedAsync(cancellationToken))
        {
            lock (_lock)
            {
                _told[id] = told;
            }
        }

        var revision = await releases.ScanAsync(Offer, cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watching = WatchAsync(revision, stop.Token);
        try
        {
            await foreach (var id in _due.Reader.ReadAllAsync(cancellationToken))
            {
                lock (_lock)
                {
                    _queued.Remove(id);
                }

                await TellAsync(id, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended; the next leader tells what is left.
        }
        finally
        {
            await stop.CancelAsync();
            await watching;
        }
    }

    private async Task WatchAsync(long revision, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in watcher.WatchAsync(releases.Prefix, revision + 1, cancellationToken))
            {
                var changed = update switch
                {
                    WatchChanges changes => changes.Changes,
                    WatchResync resync => resync.State,
                    _ => [],
                };
                foreach (var change in changed.Where(c => c.Value is not null))
                {
                    Offer(Read(change.Key, change.Value!));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
    }

    private static StoredRelease Read(string key, string json)
    {
        try
        {
            return new StoredRelease(key, 0, ReleaseStore.Parse(json), null);
        }
        catch (System.Text.Json.JsonException e)
        {
            return new StoredRelease(key, 0, null, e.Message);
        }
    }

    /// <summary>Queues the release if it has notification URLs and events not yet told.</summary>
    private void Offer(StoredRelease stored)
    {
        if (stored.State is not { } release)
        {
            Log.NotificationUnreadable(logger, stored.Key, stored.Problem ?? "");
            return;
        }

        if (release.Spec.Notifications.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (release.Events.Count > _told.GetValueOrDefault(release.Id).Count && _queued.Add(release.Id))
            {
                _due.Writer.TryWrite(release.Id);
            }
        }
    }

    private async Task TellAsync(string id, CancellationToken cancellationToken)
    {
        var (release, _) = await releases.GetAsync(id, cancellationToken);
        (int Count, long ModRevision) told;
        lock (_lock)
        {
            told = _told.GetValueOrDefault(id);
        }

        if (release is null || release.Events.Count <= told.Count)
        {
            return;
        }

        for (var i = told.Count; i < release.Events.Count; i++)
        {
            foreach (var url in release.Spec.Notifications)
            {
                await sender.SendAsync(release, i, release.Events[i], url, cancellationToken);
            }

            if (await RecordAsync(id, i + 1, told) is not { } recorded)
            {
                return;
            }

            told = recorded;
        }
    }

    /// <summary>
    /// Moves the release's count of told events to <paramref name="count"/>, once they were told, even as the term ends
    /// (a stopping controller still records what it told, so the next leader does not tell it again); the save has a
    /// deadline of its own. Null when another writer moved the count: it is read again, and this release is left for now.
    /// </summary>
    private async Task<(int Count, long ModRevision)?> RecordAsync(string id, int count, (int Count, long ModRevision) told)
    {
        using var deadline = new CancellationTokenSource(RecordTimeout, time);
        var (outcome, revision) = await releases.SaveNotifiedAsync(id, count, told.ModRevision, leader, deadline.Token);
        if (outcome == ReleaseWriteOutcome.NotLeader)
        {
            throw new NotLeaderException(leader.Revision);
        }

        if (outcome == ReleaseWriteOutcome.Written)
        {
            lock (_lock)
            {
                _told[id] = (count, revision);
            }

            return (count, revision);
        }

        // A conflict means another writer moved the count; read it again rather than trusting ours.
        foreach (var (key, value) in await releases.NotifiedAsync(deadline.Token))
        {
            lock (_lock)
            {
                _told[key] = value;
            }
        }

        return null;
    }
}
