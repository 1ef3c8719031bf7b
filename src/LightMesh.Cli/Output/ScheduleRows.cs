using System.Globalization;
using LightMesh.Core.Scheduling;

namespace LightMesh.Cli.Output;

/// <summary>When a schedule fires or a window is open, in one short cell.</summary>
public static class ScheduleRows
{
    public static string When(ScheduleSpec spec) => spec.At is { } at
        ? $"once at {Instant(at)}"
        : $"{spec.Cron!.Text}{Zone(spec.Cron.TimeZone)}{(spec.Suspend ? " (suspended)" : "")}";

    public static string When(DeliveryWindowSpec spec) => spec.Start is { } start
        ? $"{Instant(start)} .. {Instant(spec.End!.Value)}"
        : $"{spec.Schedule!.Text}{Zone(spec.Schedule.TimeZone)} for {spec.Duration!.Value.Text}";

    public static string Instant(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Zone(TimeZoneInfo zone) => zone == TimeZoneInfo.Utc ? "" : $" ({zone.Id})";
}
