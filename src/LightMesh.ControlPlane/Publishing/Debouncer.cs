using System.Threading.Channels;

namespace LightMesh.ControlPlane.Publishing;

/// <summary>
/// Gathers a burst of changes into one: after the first, waits until <see cref="Quiet"/> passes with no other,
/// or <see cref="Max"/> since the first, whichever comes sooner.
/// </summary>
public sealed class Debouncer(TimeProvider time, TimeSpan quiet, TimeSpan max)
{
    public TimeSpan Quiet { get; } = quiet;
    public TimeSpan Max { get; } = max;

    /// <summary>Waits for the next burst on <paramref name="reader"/> and returns its last item.</summary>
    public async Task<T> NextAsync<T>(ChannelReader<T> reader, CancellationToken cancellationToken)
    {
        var last = await reader.ReadAsync(cancellationToken);
        var first = time.GetTimestamp();
        var latest = first;
        while (true)
        {
            while (reader.TryRead(out var more))
            {
                last = more;
                latest = time.GetTimestamp();
            }

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
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
