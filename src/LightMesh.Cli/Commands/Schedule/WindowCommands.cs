using System.ComponentModel;
using System.Text.Json.Nodes;
using LightMesh.Cli.Api;
using LightMesh.Cli.Commands.Release;
using LightMesh.Cli.Output;
using LightMesh.Core.Documents;
using LightMesh.Host.Api;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Schedule;

/// <summary><c>lightmesh window add NAME</c>: writes a DeliveryWindow document from flags, through the controller's API.</summary>
public sealed class WindowAddCommand : AsyncCommand<WindowAddCommand.Settings>
{
    private static readonly Dictionary<string, string> FlagOf = new(StringComparer.Ordinal)
    {
        ["type"] = "--type", ["services"] = "--service", ["schedule"] = "--schedule", ["duration"] = "--duration", ["timeZone"] = "--time-zone",
        ["start"] = "--start", ["end"] = "--end", [""] = "--schedule/--duration or --start/--end",
    };

    public sealed class Settings : ReleaseSettings
    {
        [CommandArgument(0, "<NAME>")]
        [Description("The DeliveryWindow's name")]
        public string Name { get; init; } = "";

        [CommandOption("--type <TYPE>")]
        [Description("allow (releases advance only inside) or freeze (nothing starts or advances inside). Default: allow")]
        public string Type { get; init; } = "allow";

        [CommandOption("--service <SERVICE>")]
        [Description("A service it concerns (a name, or a pattern with *); repeat for more. Default: every service")]
        public string[] Services { get; init; } = [];

        [CommandOption("--schedule <EXPRESSION>")]
        [Description("When each window opens, as a Quartz cron expression: \"0 0 8 ? * MON-FRI\" (with --duration)")]
        public string? Schedule { get; init; }

        [CommandOption("--duration <DURATION>")]
        [Description("How long each window stays open: 9h")]
        public string? Duration { get; init; }

        [CommandOption("--time-zone <ZONE>")]
        [Description("The schedule's time zone, an IANA name. Default: UTC")]
        public string? TimeZone { get; init; }

        [CommandOption("--start <TIME>")]
        [Description("Instead of --schedule: one window from this RFC 3339 time ...")]
        public string? Start { get; init; }

        [CommandOption("--end <TIME>")]
        [Description("... to this one")]
        public string? End { get; init; }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = new JsonObject { ["type"] = settings.Type };
        if (settings.Services.Length > 0)
        {
            spec["services"] = new JsonArray([.. settings.Services.Select(s => (JsonNode?)JsonValue.Create(s))]);
        }

        ScheduleAddCommand.Set(spec, "schedule", settings.Schedule);
        ScheduleAddCommand.Set(spec, "duration", settings.Duration);
        ScheduleAddCommand.Set(spec, "timeZone", settings.TimeZone);
        ScheduleAddCommand.Set(spec, "start", settings.Start);
        ScheduleAddCommand.Set(spec, "end", settings.End);
        return FlagDocuments.ApplyAsync(settings, DocumentKind.DeliveryWindow, settings.Name, spec, FlagOf, cancellationToken);
    }
}

/// <summary><c>lightmesh window list</c>: every DeliveryWindow, whether it is open now, and when that changes.</summary>
public sealed class WindowListCommand : AsyncCommand<ReleaseSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ReleaseSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateControllerClient();
        var answer = await client.SendAsync<List<WindowView>>(HttpMethod.Get, ScheduleEndpoints.Windows.TrimStart('/'), null, cancellationToken);
        if (answer.Value is not { } windows)
        {
            return ApiFailures.Report(answer);
        }

        Views.Print(settings.Output, windows, ["NAME", "TYPE", "SERVICES", "WHEN", "NOW"], w =>
        [
            w.Name, w.Type, w.Services is { } services ? string.Join(",", services) : "*",
            w.Start is { } start ? $"{ScheduleRows.Instant(start)} .. {ScheduleRows.Instant(w.End!.Value)}" : $"{ScheduleRows.Cron(w.Schedule, w.TimeZone)} for {w.Duration}",
            w.OpenNow ? $"open until {ScheduleRows.Instant(w.ClosesAt!.Value)}" : w.NextOpening is { } next ? $"closed; opens {ScheduleRows.Instant(next)}" : "closed",
        ]);
        return ExitCodes.Ok;
    }
}
