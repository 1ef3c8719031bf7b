using System.Threading.Channels;

namespace LightMesh.ControlPlane.Publishing;

/// <summary>
/// Gathers bursts of changes. A change after <see cref="Quiet"/> without any goes out at once (the leading edge: a lone
/// route write, a rollback, reaches the proxies without waiting); one that comes sooner is gathered with the rest of
/// its burst, which ends once <see cref="Quiet"/> passes with no other, or <see cref="Max"/> after its first change,
/// whichever comes sooner. Used by one reader at a time.
/// </summary>
public sealed class Debouncer(TimeProvider time, TimeSpan quiet, TimeSpan max)
{
    // When the last change was read; null before the first.
    private long? _lastChange;

    public TimeSpan Quiet { get; } = quiet;
    public TimeSpan Max { get; } = max;

    /// <summary>Waits for the next change (or burst) on <paramref name="reader"/> and returns its last item.</summary>
    public async Task<T> NextAsync<T>(ChannelReader<T> reader, CancellationToken cancellationToken)
    {
        var last = await reader.ReadAsync(cancellationToken);
        var first = time.GetTimestamp();
        var quietBefore = _lastChange is not { } before || time.GetElapsedTime(before, first) >= Quiet;
        var latest = first;
        while (reader.TryRead(out var more))
        {
            last = more;
        }

        _lastChange = latest;
        if (quietBefore)
        {
            return last;
        }

        while (true)
        {
            var wait = Min(Quiet - time.GetElapsedTime(latest), Max - time.GetElapsedTime(first));
            if (wait <= TimeSpan.Zero)
            {
                return last;
            }

            using var timer = new CancellationTokenSource(wait, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
            try
            {
                if (!await reader.WaitToReadAsync(linked.Token))
                {
                    return last;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The wait is over; loop to check whether the burst ended.
            }

            while (reader.TryRead(out var more))
            {
                last = more;
                latest = time.GetTimestamp();
                _lastChange = latest;
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
