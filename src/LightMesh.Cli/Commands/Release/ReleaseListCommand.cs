using System.ComponentModel;
using LightMesh.Client;
using LightMesh.Cli.Api;
using LightMesh.Cli.Output;
using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary>
/// <c>lightmesh release list [--service S] [--phase P] [--started-by WHO] [--limit N] [--continue TOKEN]</c>: the releases the controller
/// keeps, newest first, read page by page; with <c>--limit</c>, at most N, and how to ask for the ones after them.
/// </summary>
public sealed class ReleaseListCommand : AsyncCommand<ReleaseListCommand.Settings>
{
    /// <summary>Releases asked for per request when following every page.</summary>
    public const int PageSize = 100;

    public sealed class Settings : ReleaseSettings
    {
        [CommandOption("--service <SERVICE>")]
        [Description("Only the releases of this service")]
        public string? Service { get; init; }

        [CommandOption("--phase <PHASE>")]
        [Description("Only the releases in this phase: Progressing, Paused, Succeeded, RolledBack, Aborted or Failed")]
        public string? Phase { get; init; }

        [CommandOption("--started-by <WHO>")]
        [Description("Only the releases this user, token holder or trigger started (schedule/nightly); one ending in / matches every name under it (schedule/)")]
        public string? StartedBy { get; init; }

        [CommandOption("--limit <N>")]
        [Description("At most N releases, the newest; the command then says how to list the ones after them. Default: every release")]
        public int? Limit { get; init; }

        [CommandOption("--continue <TOKEN>")]
        [Description("Start after the releases an earlier --limit listed, with the token it printed")]
        public string? Continue { get; init; }

        public override ValidationResult Validate() =>
            Limit is < 1 or > ReleaseQuery.MaxLimit
                ? ValidationResult.Error($"--limit: must be 1..{ReleaseQuery.MaxLimit}")
                : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var request = new ReleaseListRequest(settings.Limit ?? PageSize, settings.Continue, settings.Service, settings.Phase, settings.StartedBy);
        if (settings.Limit is null)
        {
            var all = await client.ListAllAsync(request, cancellationToken);
            if (all.Value is not { } releases)
            {
                return ApiFailures.Report(all);
            }

            ReleaseOutput.List(releases, settings.Output);
            return ExitCodes.Ok;
        }

        var answer = await client.ListAsync(request, cancellationToken);
        if (answer.Value is not ReleaseListView { } page)
        {
            return ApiFailures.Report(answer);
        }

        ReleaseOutput.List(page.Items, settings.Output);
        if (page.Continue is { } next)
        {
            // On standard error, so the listing itself stays one table or one JSON document.
            Printer.Error($"more releases: lightmesh release list{Filters(settings)} --limit {settings.Limit} --continue {next}");
        }

        return ExitCodes.Ok;
    }

    private static string Filters(Settings settings) =>
        (settings.Service is null ? "" : $" --service {settings.Service}") + (settings.Phase is null ? "" : $" --phase {settings.Phase}")
        + (settings.StartedBy is null ? "" : $" --started-by {settings.StartedBy}");
}
