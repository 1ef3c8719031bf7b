using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Core.Scheduling;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Reads and writes the <c>spec</c> of a Schedule and of a DeliveryWindow, which share cron, time zone and instants.</summary>
internal static class ScheduleCodec
{
    private const string Rfc3339 = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz";

    // A group's members each follow the group's workflow for them, at the version pinned in versions (or announced).
    private static readonly string[] NotWithGroup = ["workflow", "version", "args"];

    public static ScheduleSpec? ReadSpec(ReadContext context, JsonObject spec)
    {
        var service = context.String(spec, "spec", "service");
        if (service is not null && Names.CheckDns1123Label(service) is { } serviceProblem)
        {
            context.Error("spec.service", serviceProblem);
        }

        var group = context.String(spec, "spec", "group");
        if (group is not null && Names.CheckDns1123Subdomain(group) is { } groupProblem)
        {
            context.Error("spec.group", groupProblem);
        }

        if (ReadContext.Present(spec, "service") == ReadContext.Present(spec, "group"))
        {
            context.Error("spec", "needs exactly one of service (a release of one service) and group (a group release of a ReleaseGroupWorkflow)");
        }

        foreach (var field in NotWithGroup.Where(f => group is not null && ReadContext.Present(spec, f)))
        {
            context.Error($"spec.{field}", "not with group: each member's workflow is the group's; pin members' versions with versions");
        }

        if (group is null && ReadContext.Present(spec, "versions"))
        {
            context.Error("spec.versions", "only with group (a release of one service pins its version with version)");
        }

        var versions = context.StringMap(spec, "spec", "versions", k => Names.CheckDns1123Label(k), v => v.Length == 0 ? "it is empty" : Names.CheckLabelValue(v));

        var workflow = context.String(spec, "spec", "workflow");
        if (workflow is not null && Names.CheckDns1123Subdomain(workflow) is { } workflowProblem)
        {
            context.Error("spec.workflow", workflowProblem);
        }

        var zone = ReadTimeZone(context, spec);
        var cron = ReadCron(context, spec, "cron", zone);
        var at = ReadInstant(context, spec, "at");
        if (ReadContext.Present(spec, "cron") == ReadContext.Present(spec, "at"))
        {
            context.Error("spec", "needs exactly one of cron (a repeating schedule) and at (a one-shot time)");
        }

        var version = context.String(spec, "spec", "version");
        if (version is not null && (version.Length == 0 || Names.CheckLabelValue(version) is not null))
        {
            context.Error("spec.version", $"\"{version}\" is not a valid version label: {Names.CheckLabelValue(version) ?? "it is empty"}");
        }

        var args = context.StringMap(spec, "spec", "args", k => k.Length > 0 ? null : "must not be empty", _ => null);
        var deadline = context.Duration(spec, "spec", "startingDeadline", TimeSpan.FromSeconds(1));
        var suspend = context.Bool(spec, "spec", "suspend") ?? false;
        return service is null && group is null ? null : new ScheduleSpec
        {
            Service = service, Group = group, Versions = versions, Workflow = workflow, Cron = cron, At = at, Version = version, Args = args, Suspend = suspend,
            StartingDeadline = deadline,
        };
    }

    public static JsonObject WriteSpec(ScheduleSpec spec) => new JsonObject()
        .Set("service", spec.Service)
        .Set("group", spec.Group)
        .Set("versions", spec.Versions)
        .Set("workflow", spec.Workflow)
        .Set("cron", spec.Cron?.Text)
        .Set("timeZone", spec.Cron is { } cron && cron.TimeZone != TimeZoneInfo.Utc ? cron.TimeZone.Id : null)
        .Set("at", spec.At?.ToString(Rfc3339, CultureInfo.InvariantCulture))
        .Set("version", spec.Version)
        .Set("args", spec.Args)
        .Set("suspend", spec.Suspend ? true : null)
        .Set("startingDeadline", spec.StartingDeadline?.Text);

    public static DeliveryWindowSpec? ReadWindowSpec(ReadContext context, JsonObject spec)
    {
        var typeText = context.String(spec, "spec", "type", required: true);
        WindowType? type = typeText switch { "allow" => WindowType.Allow, "freeze" => WindowType.Freeze, _ => null };
        if (typeText is not null && type is null)
        {
            context.Error("spec.type", $"\"{typeText}\" must be allow or freeze");
        }

        var services = context.StringList(spec, "spec", "services", CheckServicePattern);
        var zone = ReadTimeZone(context, spec);
        var schedule = ReadCron(context, spec, "schedule", zone);
        var duration = context.Duration(spec, "spec", "duration", TimeSpan.FromSeconds(1));
        var start = ReadInstant(context, spec, "start");
        var end = ReadInstant(context, spec, "end");
        var recurring = ReadContext.Present(spec, "schedule") || ReadContext.Present(spec, "duration");
        var once = ReadContext.Present(spec, "start") || ReadContext.Present(spec, "end");
        if (recurring == once)
        {
            context.Error("spec", "needs schedule and duration (a repeating window) or start and end (one window), not both");
        }
        else if (recurring && !(ReadContext.Present(spec, "schedule") && ReadContext.Present(spec, "duration")))
        {
            context.Error(ReadContext.Present(spec, "schedule") ? "spec.duration" : "spec.schedule", "is required with " + (ReadContext.Present(spec, "schedule") ? "schedule" : "duration"));
        }
        else if (once && !(ReadContext.Present(spec, "start") && ReadContext.Present(spec, "end")))
        {
            context.Error(ReadContext.Present(spec, "start") ? "spec.end" : "spec.start", "is required with " + (ReadContext.Present(spec, "start") ? "start" : "end"));
        }
        else if (start is { } s && end is { } e && e <= s)
        {
            context.Error("spec.end", $"must be after start ({s:O})");
        }

        return type is null ? null : new DeliveryWindowSpec { Type = type.Value, Services = services.Count == 0 ? null : services, Schedule = schedule, Duration = duration, Start = start, End = end };
    }

    public static JsonObject WriteWindowSpec(DeliveryWindowSpec spec) => new JsonObject()
        .Set("type", spec.Type.ToString().ToLowerInvariant())
        .Set("services", spec.Services)
        .Set("schedule", spec.Schedule?.Text)
        .Set("duration", spec.Duration?.Text)
        .Set("timeZone", spec.Schedule is { } cron && cron.TimeZone != TimeZoneInfo.Utc ? cron.TimeZone.Id : null)
        .Set("start", spec.Start?.ToString(Rfc3339, CultureInfo.InvariantCulture))
        .Set("end", spec.End?.ToString(Rfc3339, CultureInfo.InvariantCulture));

    private static string? CheckServicePattern(string pattern) =>
        pattern.Contains('*', StringComparison.Ordinal)
            ? (Names.CheckDns1123Label(pattern.Replace("*", "x", StringComparison.Ordinal)) is null ? null : $"\"{pattern}\" is not a service name pattern (letters, digits, '-' and '*')")
            : Names.CheckDns1123Label(pattern);

    private static TimeZoneInfo ReadTimeZone(ReadContext context, JsonObject spec)
    {
        var text = context.String(spec, "spec", "timeZone");
        if (text is null)
        {
            return TimeZoneInfo.Utc;
        }

        if (TimeZoneInfo.TryFindSystemTimeZoneById(text, out var zone))
        {
            return zone;
        }

        context.Error("spec.timeZone", $"\"{text}\" is not a time zone (use an IANA name such as Europe/Berlin or UTC)");
        return TimeZoneInfo.Utc;
    }

    private static CronSchedule? ReadCron(ReadContext context, JsonObject spec, string field, TimeZoneInfo zone)
    {
        var text = context.String(spec, "spec", field);
        if (text is null)
        {
            return null;
        }

        var cron = CronSchedule.TryParse(text, zone, out var problem);
        if (cron is null)
        {
            context.Error($"spec.{field}", $"\"{text}\" is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year], e.g. \"0 0 2 * * ?\"): {problem}");
        }

        return cron;
    }

    /// <summary>An instant with its offset (<c>2026-12-01T02:00:00+01:00</c> or <c>...Z</c>); a local time without one would be ambiguous.</summary>
    private static DateTimeOffset? ReadInstant(ReadContext context, JsonObject spec, string field)
    {
        var text = context.String(spec, "spec", field);
        if (text is null)
        {
            return null;
        }

        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            context.Error($"spec.{field}", $"\"{text}\" is not a time with its offset (RFC 3339, e.g. 2026-12-01T02:00:00Z or 2026-12-01T03:00:00+01:00)");
            return null;
        }

        return instant;
    }
}
