using System.Globalization;
using LightMesh.Core.Scheduling;

namespace LightMesh.Cli.Output;

/// <summary>When a schedule fires or a window is open, in one short cell.</summary>
public static class ScheduleRows
{
    public static string When(ScheduleSpec spec) => spec.At is { } at
        ? $"once at {Instant(at)}"
        : $"{Cron(spec.Cron!.Text, spec.Cron.TimeZone.Id)}{(spec.Suspend ? " (suspended)" : "")}";

    public static string When(DeliveryWindowSpec spec) => spec.Start is { } start
        ? $"{Instant(start)} .. {Instant(spec.End!.Value)}"
        : $"{Cron(spec.Schedule!.Text, spec.Schedule.TimeZone.Id)} for {spec.Duration!.Value.Text}";

    public static string Instant(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>0 0 2 ? * MON-FRI (Europe/Berlin)</c>; the zone is left out when it is UTC.</summary>
    public static string Cron(string? expression, string? zone) => zone is null || zone == TimeZoneInfo.Utc.Id ? $"{expression}" : $"{expression} ({zone})";
}
