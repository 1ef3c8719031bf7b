using Quartz;

namespace LightMesh.Core.Scheduling;

/// <summary>
/// A Quartz cron expression (seconds first: <c>0 0 2 ? * MON-FRI</c>) read in a time zone, so "02:00" stays 02:00
/// local time across daylight-saving changes.
/// </summary>
public sealed record CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(string text, TimeZoneInfo zone, CronExpression expression)
    {
        Text = text;
        TimeZone = zone;
        _expression = expression;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>Reads <paramref name="text"/> in <paramref name="zone"/>; null and a reason when it is not a valid expression.</summary>
    public static CronSchedule? TryParse(string text, TimeZoneInfo zone, out string? problem)
    {
        try
        {
            problem = null;
            return new CronSchedule(text, zone, new CronExpression(text, zone));
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>The first time after <paramref name="after"/> the expression names; null if it names none (a past year).</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextValidTimeAfter(after);

    /// <summary>The last time at or before <paramref name="at"/> the expression names.</summary>
    /// <remarks>Cron times are whole seconds, so "before the next whole second" is "at or before".</remarks>
    public DateTimeOffset? Latest(DateTimeOffset at)
    {
        var nextSecond = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1);
        return _expression.GetPreviousValidTimeBefore(nextSecond);
    }

    public bool Equals(CronSchedule? other) => other is not null && Text == other.Text && TimeZone.Id == other.TimeZone.Id;

    public override int GetHashCode() => HashCode.Combine(Text, TimeZone.Id);
}
