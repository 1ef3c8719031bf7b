namespace LightMesh.Core.Scheduling;

/// <summary>What a schedule asks for at one moment.</summary>
public abstract record ScheduleDue;

/// <summary>Nothing yet; the next firing is at <see cref="Next"/> (null: never again).</summary>
public sealed record NotDue(DateTimeOffset? Next) : ScheduleDue;

/// <summary>The firing for <see cref="ScheduledAt"/> should start a release now.</summary>
public sealed record Due(DateTimeOffset ScheduledAt) : ScheduleDue;

/// <summary>The firing for <see cref="ScheduledAt"/> is passed over (too late, or suspended), and recorded as such.</summary>
public sealed record PassedOver(DateTimeOffset ScheduledAt, string Reason) : ScheduleDue;

/// <summary>
/// When a schedule fires, given what was fired before. Only the latest firing time is ever considered: firings missed
/// while no controller led collapse into one, which starts if it is within the starting deadline (as a Kubernetes
/// CronJob's <c>startingDeadlineSeconds</c>), and is passed over otherwise.
/// </summary>
public static class ScheduleClock
{
    /// <param name="since">When the schedule was first seen; a cron's earlier times never fire.</param>
    /// <param name="lastScheduled">The firing time last acted on (started, or passed over); null if none.</param>
    public static ScheduleDue Check(ScheduleSpec spec, DateTimeOffset since, DateTimeOffset? lastScheduled, DateTimeOffset now)
    {
        DateTimeOffset? latest = spec.At is { } at
            ? (at <= now && lastScheduled != at ? at : null)
            : spec.Cron?.Latest(now) is { } fired && fired > since && (lastScheduled is null || fired > lastScheduled) ? fired : null;
        if (latest is not { } scheduled)
        {
            return new NotDue(Next(spec, lastScheduled, now));
        }

        if (spec.Suspend)
        {
            return new PassedOver(scheduled, "the schedule is suspended");
        }

        var late = now - scheduled;
        return late > spec.EffectiveStartingDeadline
            ? new PassedOver(scheduled, $"missed by {Math.Round(late.TotalMinutes, 1)} min, more than the starting deadline of {spec.EffectiveStartingDeadline.TotalMinutes} min")
            : new Due(scheduled);
    }

    /// <summary>The next firing time after <paramref name="now"/>; null when there is none (a one-shot that fired).</summary>
    public static DateTimeOffset? Next(ScheduleSpec spec, DateTimeOffset? lastScheduled, DateTimeOffset now) =>
        spec.At is { } at ? (at > now && lastScheduled != at ? at : null) : spec.Cron?.Next(now);
}
