namespace LightMesh.Discovery.Xds.Client;

/// <summary>Reconnection delays as gRPC computes them: growing by 1.6 up to a maximum, each spread by ±20 %.</summary>
internal static class Backoff
{
    public const double Multiplier = 1.6;
    public const double Jitter = 0.2;

    /// <summary>The delay after <paramref name="current"/>.</summary>
    public static TimeSpan Next(TimeSpan current, TimeSpan max) => TimeSpan.FromTicks((long)Math.Min(current.Ticks * Multiplier, max.Ticks));

    /// <summary><paramref name="delay"/> spread by the jitter, given a uniformly random number in [0, 1).</summary>
    public static TimeSpan Spread(TimeSpan delay, double random) => TimeSpan.FromTicks((long)(delay.Ticks * (1 - Jitter + (2 * Jitter * random))));
}
