namespace LightMesh.Core.Releases;

/// <summary>
/// A command that could not be carried out for a reason that may pass (etcd, a Docker Engine or Prometheus unreachable,
/// a node busy with another apply), waiting to be tried again at <see cref="At"/>: how often it was tried, since when, and why.
/// </summary>
public sealed record StepRetry(int Step, int Attempt, string Reason, DateTimeOffset Since, DateTimeOffset At)
{
    /// <summary>How long to wait before try <paramref name="attempt"/> + 1: <paramref name="first"/>, doubled with each try, at most <paramref name="most"/>.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan first, TimeSpan most) =>
        TimeSpan.FromTicks(Math.Min(most.Ticks, first.Ticks * (1L << Math.Clamp(attempt - 1, 0, 20))));
}
