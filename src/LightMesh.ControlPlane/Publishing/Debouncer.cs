using System.Threading.Channels;

namespace LightMesh.ControlPlane.Publishing;

/// <summary>
/// Lets at most one push out per <see cref="Quiet"/>. A change that comes <see cref="Quiet"/> or more after the last push
/// goes out at once (a lone route write, a rollback, reaches the proxies without waiting); one that comes sooner waits
/// until <see cref="Quiet"/> has passed since that push and goes out with whatever else came meanwhile. So no change
/// waits longer than <see cref="Quiet"/>, however steadily changes keep coming, and a burst costs one push per
/// <see cref="Quiet"/>. Used by one reader at a time.
/// </summary>
public sealed class Debouncer(TimeProvider time, TimeSpan quiet)
{
    // When the last push was let out; null before the first.
    private long? _lastPush;

    public TimeSpan Quiet { get; } = quiet;

    /// <summary>Waits for the next change on <paramref name="reader"/>, and for the rest of the quiet period if one is running; returns the last item read.</summary>
    public async Task<T> NextAsync<T>(ChannelReader<T> reader, CancellationToken cancellationToken)
    {
        var last = await reader.ReadAsync(cancellationToken);
        if (_lastPush is { } pushed && Quiet - time.GetElapsedTime(pushed) is var rest && rest > TimeSpan.Zero)
        {
            await Task.Delay(rest, time, cancellationToken);
        }

        while (reader.TryRead(out var more))
        {
            last = more;
        }

        _lastPush = time.GetTimestamp();
        return last;
    }
}
