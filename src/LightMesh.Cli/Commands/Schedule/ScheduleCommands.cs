using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using LightMesh.Cli.Api;
using LightMesh.Cli.Commands.Release;
using LightMesh.Cli.Output;
using LightMesh.Core.Documents;
using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Schedule;

/// <summary><c>lightmesh schedule add NAME</c>: writes a Schedule document from flags, through the controller's API.</summary>
public sealed class ScheduleAddCommand : AsyncCommand<ScheduleAddCommand.Settings>
{
    private static readonly Dictionary<string, string> FlagOf = new(StringComparer.Ordinal)
    {
        ["service"] = "--service", ["workflow"] = "--workflow", ["cron"] = "--cron", ["timeZone"] = "--time-zone", ["at"] = "--at",
        ["version"] = "--version", ["args"] = "--arg", ["suspend"] = "--suspend", ["startingDeadline"] = "--starting-deadline", [""] = "--cron/--at",
    };

    public sealed class Settings : ReleaseSettings
    {
        [CommandArgument(0, "<NAME>")]
        [Description("The Schedule's name")]
        public string Name { get; init; } = "";

        [CommandOption("--service <SERVICE>")]
        [Description("The service it releases")]
        public string? Service { get; init; }

        [CommandOption("--cron <EXPRESSION>")]
        [Description("When it fires, as a Quartz cron expression, seconds first: \"0 0 2 ? * MON-FRI\"")]
        public string? Cron { get; init; }

        [CommandOption("--time-zone <ZONE>")]
        [Description("The cron's time zone, an IANA name. Default: UTC")]
        public string? TimeZone { get; init; }

        [CommandOption("--at <TIME>")]
        [Description("Instead of --cron: fire once, at this RFC 3339 time (2026-12-01T06:00:00+01:00)")]
        public string? At { get; init; }

        [CommandOption("--version <VERSION>")]
        [Description("The version to release. Default: the newest version CI announced")]
        public string? Version { get; init; }

        [CommandOption("--workflow <NAME>")]
        [Description("The ReleaseWorkflow. Default: canary")]
        public string? Workflow { get; init; }

        [CommandOption("--arg <KEY=VALUE>")]
        [Description("An argument for the release's analyses; repeat for more")]
        public string[] Args { get; init; } = [];

        [CommandOption("--starting-deadline <DURATION>")]
        [Description("How late a missed firing may still start. Default: 1h")]
        public string? StartingDeadline { get; init; }

        [CommandOption("--suspend")]
        [Description("Write it suspended: it does not fire until written again without --suspend")]
        public bool Suspend { get; init; }

        public override ValidationResult Validate()
        {
            var problems = FlagDocuments.PairProblems("--arg", Args).ToList();
            if (Service is null)
            {
                problems.Add("--service: name the service the schedule releases");
            }

            return problems.Count > 0 ? ValidationResult.Error(string.Join("; ", problems)) : base.Validate();
        }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = new JsonObject { ["service"] = settings.Service };
        Set(spec, "workflow", settings.Workflow);
        Set(spec, "cron", settings.Cron);
        Set(spec, "timeZone", settings.TimeZone);
        Set(spec, "at", settings.At);
        Set(spec, "version", settings.Version);
        Set(spec, "startingDeadline", settings.StartingDeadline);
        if (FlagDocuments.Pairs(settings.Args) is { } args)
        {
            spec["args"] = args;
        }

        if (settings.Suspend)
        {
            spec["suspend"] = true;
        }

        return FlagDocuments.ApplyAsync(settings, DocumentKind.Schedule, settings.Name, spec, FlagOf, cancellationToken);
    }

    internal static void Set(JsonObject spec, string field, string? value)
    {
        if (value is not null)
        {
            spec[field] = value;
        }
    }
}

/// <summary><c>lightmesh schedule list</c>: every Schedule with what it releases, its next firing and how the last one went.</summary>
public sealed class ScheduleListCommand : AsyncCommand<ReleaseSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ReleaseSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateControllerClient();
        var answer = await client.SendAsync<List<ScheduleView>>(HttpMethod.Get, ScheduleEndpoints.Schedules.TrimStart('/'), null, cancellationToken);
        if (answer.Value is not { } schedules)
        {
            return ApiFailures.Report(answer);
        }

        Views.Print(settings.Output, schedules, ["NAME", "SERVICE", "WHEN", "RELEASES", "NEXT", "LAST"], s =>
        [
            s.Name, s.Group is { } group ? $"group {group}" : s.Service ?? "-",
            s.At is { } at ? $"once at {ScheduleRows.Instant(at)}" : $"{ScheduleRows.Cron(s.Cron, s.TimeZone)}{(s.Suspended ? " (suspended)" : "")}",
            s.Group is not null
                ? (s.Versions is { Count: > 0 } pinned ? $"{string.Join(", ", pinned.Select(p => $"{p.Key} {p.Value}"))}, others newest announced" : "each member's newest announced")
                : s.Version ?? (s.AnnouncedVersion is { } announced ? $"newest announced ({announced})" : "newest announced (none yet)"),
            s.NextFiring is { } next ? ScheduleRows.Instant(next) : "-",
            s.LastFiring is { } last ? $"{ScheduleRows.Instant(last.ScheduledAt ?? last.Since)} {last.Outcome.ToString().ToLowerInvariant()}: {last.Message}" : "-",
        ]);
        return ExitCodes.Ok;
    }
}

/// <summary><c>lightmesh schedule rm NAME</c> and <c>lightmesh window rm NAME</c>: deletes the document through the controller's API.</summary>
public sealed class ScheduleRemoveCommand : AsyncCommand<ScheduleRemoveCommand.Settings>
{
    public sealed class Settings : ReleaseSettings
    {
        [CommandArgument(0, "<NAME>")]
        [Description("The document's name")]
        public string Name { get; init; } = "";
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        FlagDocuments.DeleteAsync(settings, context.Data as DocumentKind? ?? DocumentKind.Schedule, settings.Name, cancellationToken);
}

/// <summary>Prints API views as a table, or as JSON or YAML in the API's own shape.</summary>
internal static class Views
{
    public static void Print<T>(string output, IReadOnlyList<T> views, IReadOnlyList<string> headers, Func<T, IReadOnlyList<string>> row)
    {
        var nodes = views.Select(v => JsonSerializer.SerializeToNode(v, ReleaseJson.Options)!).ToList();
        switch (output)
        {
            case "json":
                Printer.Json(nodes, asList: true);
                break;
            case "yaml":
                Printer.Yaml(nodes);
                break;
            default:
                Printer.Table(headers, views.Select(row));
                break;
        }
    }
}
