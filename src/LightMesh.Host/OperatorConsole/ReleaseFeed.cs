using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LightMesh.Etcd;
using LightMesh.Etcd.Releases;
using LightMesh.Etcd.Watching;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// Tells this controller's open consoles that a release or a group release changed: one watch of the releases, of the
/// measurements their analyses keep apart, and of the groups, in etcd for all of them, running only while at least one is open, so a controller nobody looks at
/// does nothing for the console. Each console hears at most once per <see cref="MinInterval"/>; changes in between are
/// one notice, since a page reads the whole release again anyway. Every controller serves it from etcd, so it goes on
/// when the leader changes.
/// </summary>
public sealed class ReleaseFeed(
    EtcdConnection etcd, ReleaseStore releases, ReleaseGroupStore groups, PrefixWatcher watcher, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ReleaseFeed> logger)
    : IDisposable
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(500);

    private readonly Lock _lock = new();
    private readonly HashSet<Channel<long>> _listeners = [];
    private CancellationTokenSource? _watching;

    private long _revision;

    /// <summary>
    /// The revision of the releases as the watch last saw them: every change to a release up to it has been told. Zero
    /// while no watch runs (no console is open, or its watch has not read etcd yet): nothing is known to be current.
    /// </summary>
    public long Revision => Interlocked.Read(ref _revision);

    /// <summary>
    /// The etcd revision of each change to a release, coalesced, until <paramref name="cancellationToken"/> ends the
    /// listening or the controller stops (an open console never holds up its stop).
    /// </summary>
    public async IAsyncEnumerable<long> ChangesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        cancellationToken = listening.Token;
        var listener = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        Add(listener);

        // A first notice at once: a change made between the page's render and this stream's opening is not lost, and the
        // page knows its stream is open.
        listener.Writer.TryWrite(Revision);
        try
        {
            while (await Next(listener, cancellationToken) is { } revision)
            {
                yield return revision;
                if (!await PauseAsync(cancellationToken))
                {
                    yield break;
                }
            }
        }
        finally
        {
            Remove(listener);
        }
    }

    /// <summary>Waits <see cref="MinInterval"/> between two notices; false once the listening ends.</summary>
    private async Task<bool> PauseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(MinInterval, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<long?> Next(Channel<long> listener, CancellationToken cancellationToken)
    {
        try
        {
            return await listener.Reader.ReadAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Stops the watch, if one runs (the controller is stopping).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _watching?.Cancel();
            _watching?.Dispose();
            _watching = null;
        }
    }

    private void Add(Channel<long> listener)
    {
        lock (_lock)
        {
            _listeners.Add(listener);
            if (_watching is null)
            {
                _watching = new CancellationTokenSource();
                _ = WatchAsync(_watching.Token);
            }
        }
    }

    private void Remove(Channel<long> listener)
    {
        lock (_lock)
        {
            _listeners.Remove(listener);
            if (_listeners.Count == 0 && _watching is { } watching)
            {
                watching.Cancel();
                watching.Dispose();
                _watching = null;
            }
        }
    }

    /// <summary>Tells every listener of each change under <paramref name="prefix"/> after <paramref name="from"/>.</summary>
    private async Task ForwardAsync(string prefix, long from, CancellationToken cancellationToken)
    {
        await foreach (var update in watcher.WatchAsync(prefix, from + 1, cancellationToken))
        {
            lock (_lock)
            {
                if (update.Revision > _revision)
                {
                    Interlocked.Exchange(ref _revision, update.Revision);
                }

                foreach (var listener in _listeners)
                {
                    listener.Writer.TryWrite(update.Revision);
                }
            }
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The releases, the measurements their analyses keep apart from them, and the groups: each changes what a page shows.
            var from = (await etcd.GetAsync(releases.Prefix, cancellationToken)).Header.Revision;
            Interlocked.Exchange(ref _revision, from);
            await Task.WhenAll(
                ForwardAsync(releases.Prefix, from, cancellationToken),
                ForwardAsync(etcd.Keys.AllAnalyses, from, cancellationToken),
                ForwardAsync(groups.Prefix, from, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The last console closed.
            Interlocked.Exchange(ref _revision, 0);
        }
        catch (Exception e)
        {
            // The consoles go on without live updates until they are opened again.
            Log.FeedStopped(logger, e);
            Interlocked.Exchange(ref _revision, 0);
            lock (_lock)
            {
                foreach (var listener in _listeners)
                {
                    listener.Writer.TryComplete();
                }

                // The next console to open starts a new watch.
                _watching?.Dispose();
                _watching = null;
            }
        }
    }
}
