using System.ComponentModel;
using System.Text.Json;
using LightMesh.Cli.Api;
using LightMesh.Cli.Output;
using LightMesh.Client;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary><c>lightmesh release start-group WORKFLOW SERVICE=VERSION...</c>: starts a group release of a ReleaseGroupWorkflow.</summary>
public sealed class ReleaseStartGroupCommand : AsyncCommand<ReleaseStartGroupCommand.Settings>
{
    public sealed class Settings : ReleaseSettings
    {
        [CommandArgument(0, "<WORKFLOW>")]
        [Description("The ReleaseGroupWorkflow to follow (its members and their order)")]
        public string Workflow { get; init; } = "";

        [CommandArgument(1, "<SERVICE=VERSION>")]
        [Description("Each member's new version, e.g. payments=v7 checkout=v12")]
        public string[] Versions { get; init; } = [];

        [CommandOption("--actor <WHO>")]
        [Description("Who starts it, for the group's log. Default: $USER, else operator")]
        public string? Actor { get; init; }

        [CommandOption("-w|--watch")]
        [Description("Then follow the group until it ends, as release group status --watch does; exit 0 if it succeeded, 1 otherwise")]
        public bool Watch { get; init; }

        public override ValidationResult Validate()
        {
            var problems = Versions.Where(v => v.Split('=', 2) is not [{ Length: > 0 }, { Length: > 0 }]).Select(v => $"SERVICE=VERSION: \"{v}\" must be a service, '=', and a version").ToList();
            problems.AddRange(Versions.Select(v => v.Split('=', 2)[0]).GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"SERVICE=VERSION: \"{g.Key}\" is given {g.Count()} times"));
            return problems.Count > 0 ? ValidationResult.Error(string.Join("; ", problems)) : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var versions = settings.Versions.Select(v => v.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var answer = await client.StartGroupAsync(new GroupStartBody(settings.Workflow, versions, settings.Actor ?? ReleaseSettings.DefaultActor), cancellationToken);
        if (answer.Value is not { } group)
        {
            return ApiFailures.Report(answer);
        }

        if (settings.Output == "table")
        {
            Printer.Line($"group release {group.Id} started");
        }

        return settings.Watch ? await ReleaseGroupStatusCommand.FollowAsync(client, group.Id, settings.Output, cancellationToken) : GroupOutput.Show(group, settings.Output);
    }
}

/// <summary><c>lightmesh release group status ID [--watch]</c>: a group release with a line per member.</summary>
public sealed class ReleaseGroupStatusCommand : AsyncCommand<ReleaseGroupStatusCommand.Settings>
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    public sealed class Settings : ReleaseSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("The group release's id")]
        public string Id { get; init; } = "";

        [CommandOption("-w|--watch")]
        [Description("Follow the group until it ends; exit 0 if it succeeded, 1 otherwise")]
        public bool Watch { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        if (settings.Watch)
        {
            return await FollowAsync(client, settings.Id, settings.Output, cancellationToken);
        }

        var answer = await client.GetGroupAsync(settings.Id, cancellationToken);
        return answer.Value is { } group ? GroupOutput.Show(group, settings.Output) : ApiFailures.Report(answer);
    }

    /// <summary>Shows the group each time it changes, until it ends: 0 when it succeeded, 1 otherwise.</summary>
    public static async Task<int> FollowAsync(ReleaseClient client, string id, string output, CancellationToken cancellationToken)
    {
        string? shown = null;
        while (true)
        {
            var answer = await client.GetGroupAsync(id, cancellationToken);
            if (answer.Value is not { } group)
            {
                return ApiFailures.Report(answer);
            }

            var now = JsonSerializer.Serialize(group, ReleaseJson.Options);
            if (now != shown)
            {
                if (shown is not null && output == "table")
                {
                    Printer.Line("");
                }

                GroupOutput.Show(group, output);
                shown = now;
            }

            if (group.Phase is GroupPhase.Succeeded or GroupPhase.RolledBack)
            {
                return group.Phase == GroupPhase.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
            }

            await Task.Delay(WatchInterval, cancellationToken);
        }
    }
}

/// <summary>
/// <c>lightmesh release group pause|resume|approve|abort ID</c>: one action on every member (abort: every member started
/// rolls back, last started first); the action is the command's data.
/// </summary>
public sealed class ReleaseGroupActionCommand : AsyncCommand<ReleaseGroupActionCommand.Settings>
{
    public sealed class Settings : ReleaseSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("The group release's id")]
        public string Id { get; init; } = "";

        [CommandOption("--actor <WHO>")]
        [Description("Who acts, for the logs of the group and its members. Default: $USER, else operator")]
        public string? Actor { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var answer = await client.ActOnGroupAsync(settings.Id, (string)context.Data!, settings.Actor ?? ReleaseSettings.DefaultActor, cancellationToken);
        return answer.Value is { } group ? GroupOutput.Show(group, settings.Output) : ApiFailures.Report(answer);
    }
}

/// <summary>How a group release is printed: a line for the group, a table with a row per member, and its log.</summary>
internal static class GroupOutput
{
    public static int Show(GroupView group, string format)
    {
        var node = JsonSerializer.SerializeToNode(group, ReleaseJson.Options)!;
        switch (format)
        {
            case "json":
                Printer.Json([node], asList: false);
                break;
            case "yaml":
                Printer.Yaml([node]);
                break;
            default:
                Printer.Line($"group {group.Id} ({group.Workflow}, gate {group.Gate}): {group.Phase}{(group.RollingBack is { } why ? $": {why}" : "")}{(group.PausedBy is { } by ? $", paused by {by}" : "")}{(group.ApprovedBy is { } approver ? $", approved by {approver}" : "")}");
                if (group.Acting is { Pending.Count: > 0 } acting)
                {
                    Printer.Line($"{acting.Action.ToString().ToLowerInvariant()} by {acting.Actor} not carried to {string.Join(", ", acting.Pending)} yet");
                }

                Printer.Table(
                    ["SERVICE", "VERSION", "AFTER", "RELEASE", "PHASE", "STEP", "WEIGHT", "REVERT"],
                    group.Members.Select(m => (IReadOnlyList<string>)
                    [
                        m.Service, m.Version, string.Join(",", m.After), m.Release ?? "-", m.Phase?.ToString() ?? "waiting",
                        m.Step?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", m.Weight is { } w ? $"{w}%" : "-",
                        m.Revert is { } revert ? $"{revert} {m.RevertPhase}" : "-",
                    ]));
                Printer.Line("");
                Printer.Table(["TIME", "ACTION", "ACTOR", "REASON"], group.Events.Select(e => (IReadOnlyList<string>)[e.At.ToString("u", System.Globalization.CultureInfo.InvariantCulture), e.Action, e.Actor, e.Reason]));
                break;
        }

        return ExitCodes.Ok;
    }
}
