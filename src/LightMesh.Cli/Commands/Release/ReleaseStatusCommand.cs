using System.ComponentModel;
using LightMesh.Cli.Api;
using LightMesh.Cli.Output;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;
using Spectre.Console.Cli;
using Spectre.Console;

namespace LightMesh.Cli.Commands.Release;

/// <summary>
/// <c>lightmesh release status ID [--watch]</c>: where a release stands, its event log and its analyses. With --watch it
/// reads the release every second and shows each change until the release ends: exit 0 if it succeeded, else 1.
/// </summary>
public sealed class ReleaseStatusCommand : AsyncCommand<ReleaseStatusCommand.Settings>
{
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    public sealed class Settings : ReleaseSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("The release's id, as release start or release list print it")]
        public string Id { get; init; } = "";

        [CommandOption("-w|--watch")]
        [Description("Follow the release until it ends; exit 0 if it succeeded, 1 otherwise. Ctrl-C stops")]
        public bool Watch { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        if (!settings.Watch)
        {
            var answer = await client.GetAsync(settings.Id, cancellationToken);
            if (answer.Value is not { } release)
            {
                return ApiFailures.Report(answer);
            }

            ReleaseOutput.One(release, settings.Output, detailed: true);
            return ExitCodes.Ok;
        }

        if (settings.Output == "table" && !Console.IsOutputRedirected)
        {
            // A terminal: redrawn in place. A long event log is cut at the top, so the latest events stay in view.
            var display = AnsiConsole.Live(Text.Empty).Overflow(VerticalOverflow.Crop).Cropping(VerticalOverflowCropping.Top);
            return await display.StartAsync(live => WatchAsync(client, settings.Id, release =>
            {
                live.UpdateTarget(ReleaseOutput.Detailed(release));
                live.Refresh();
            }, cancellationToken));
        }

        // Not a terminal (a pipe, a log, CI), or JSON/YAML: each change is printed again, after the last.
        var first = true;
        return await WatchAsync(client, settings.Id, release =>
        {
            if (!first && settings.Output == "table")
            {
                Printer.Line("");
            }

            first = false;
            ReleaseOutput.One(release, settings.Output, detailed: true);
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

            if (ReleaseRows.IsFinal(release.Phase))
            {
                return release.Phase == ReleasePhase.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
            }

            await Task.Delay(WatchInterval, cancellationToken);
        }
    }
}
