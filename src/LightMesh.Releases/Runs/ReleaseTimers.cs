using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Runs;

/// <summary>
/// Wakes releases at their deadlines (a timed pause's end, a retry, a periodic recheck) for one leadership term.
/// Timers live in memory only: the deadlines themselves are kept in each release's state, and a new term arms them
/// again from there, so a pause ends at its original deadline whichever controller is leading.
/// </summary>
public sealed class ReleaseTimers(IReleaseWaker waker, TimeProvider time, TimeSpan retryDelay, ILogger<ReleaseTimers> logger, CancellationToken term) : IDisposable
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, CancellationTokenSource Cancel)> _armed = new();

    /// <summary>Wakes <paramref name="releaseId"/> at <paramref name="at"/>, unless an earlier wake-up is already armed.</summary>
    public void Arm(string releaseId, DateTimeOffset at)
    {
        if (_armed.TryGetValue(releaseId, out var existing) && existing.At <= at && existing.At > time.GetUtcNow())
        {
            return;
        }

        var cancel = CancellationTokenSource.CreateLinkedTokenSource(term);
        if (_armed.TryGetValue(releaseId, out existing) && _armed.TryUpdate(releaseId, (at, cancel), existing))
        {
            existing.Cancel.Cancel();
            existing.Cancel.Dispose();
        }
        else if (!_armed.TryAdd(releaseId, (at, cancel)))
        {
            cancel.Dispose();
            return;
        }

        _ = FireAsync(releaseId, at, cancel);
    }

    public int Count => _armed.Count;

    public void Dispose()
    {
        foreach (var (_, (_, cancel)) in _armed)
        {
            cancel.Cancel();
            cancel.Dispose();
        }

        _armed.Clear();
    }

    private async Task FireAsync(string releaseId, DateTimeOffset at, CancellationTokenSource cancel)
    {
        try
        {
            var wait = at - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancel.Token);
            }

            if (_armed.TryRemove(new KeyValuePair<string, (DateTimeOffset, CancellationTokenSource)>(releaseId, (at, cancel))))
            {
                cancel.Dispose();
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(term);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await waker.WakeAsync(releaseId, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Re-armed for another time, or the term ended.
        }
        catch (ObjectDisposedException)
        {
            // The term ended while the timer fired.
        }
        catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException)
        {
            // etcd could not take the wake-up: try again (and the leader's sweep wakes every due release anyway).
            Telemetry.Log.WakeFailed(logger, releaseId, retryDelay, e);
            Arm(releaseId, time.GetUtcNow() + retryDelay);
        }
    }
}
