using System.ComponentModel;
using LightMesh.Client;
using LightMesh.Cli.Api;
using LightMesh.Cli.Output;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;
using Spectre.Console.Cli;
using Spectre.Console;

namespace LightMesh.Cli.Commands.Release;

/// <summary>
/// <c>lightmesh release status ID|SERVICE [--watch]</c>: where a release stands, its event log and its analyses. With --watch it
/// reads the release every second and shows each change until the release ends: exit 0 if it succeeded, else 1.
/// </summary>
public sealed class ReleaseStatusCommand : AsyncCommand<ReleaseStatusCommand.Settings>
{
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    public sealed class Settings : ReleaseSettings
    {
        [CommandArgument(0, "<ID|SERVICE>")]
        [Description("The release's id, as release start or release list print it, or a service's name for its newest release")]
        public string Id { get; init; } = "";

        [CommandOption("-w|--watch")]
        [Description("Follow the release until it ends; exit 0 if it succeeded, 1 otherwise. Ctrl-C stops")]
        public bool Watch { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var answer = await client.FindAsync(settings.Id, cancellationToken);
        if (answer.Value is not { } release)
        {
            return ApiFailures.Report(answer);
        }

        if (!settings.Watch)
        {
            ReleaseOutput.One(release, settings.Output, detailed: true);
            return ExitCodes.Ok;
        }

        return await FollowAsync(client, release.Id, settings.Output, cancellationToken);
    }

    /// <summary>
    /// Shows the release <paramref name="id"/> each time it changes, until it ends: exit 0 if it succeeded, else 1. On a
    /// terminal the table is redrawn in place; otherwise (a pipe, a log, CI, JSON or YAML) each change is printed after the last.
    /// </summary>
    public static async Task<int> FollowAsync(ReleaseClient client, string id, string output, CancellationToken cancellationToken)
    {
        if (output == "table" && !Console.IsOutputRedirected)
        {
            // A terminal: redrawn in place. A long event log is cut at the top, so the latest events stay in view.
            var display = AnsiConsole.Live(Text.Empty).Overflow(VerticalOverflow.Crop).Cropping(VerticalOverflowCropping.Top);
            return await display.StartAsync(live => WatchAsync(client, id, release =>
            {
                live.UpdateTarget(ReleaseOutput.Detailed(release));
                live.Refresh();
            }, cancellationToken));
        }

        var first = true;
        return await WatchAsync(client, id, release =>
        {
            if (!first && output == "table")
            {
                Printer.Line("");
            }

            first = false;
            ReleaseOutput.One(release, output, detailed: true);
        }, cancellationToken);
    }

    private static async Task<int> WatchAsync(ReleaseClient client, string id, Action<ReleaseView> show, CancellationToken cancellationToken)
    {
        string? shown = null;
        while (true)
        {
            var answer = await client.GetAsync(id, cancellationToken);
            if (answer.Value is not { } release)
            {
                return ApiFailures.Report(answer);
            }

            var now = ReleaseOutput.ToNode(release).ToJsonString();
            if (now != shown)
            {
                show(release);
                shown = now;
            }

            if (ReleaseText.IsFinal(release.Phase))
            {
                return release.Phase == ReleasePhase.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
            }

            await Task.Delay(WatchInterval, cancellationToken);
        }
    }
}
