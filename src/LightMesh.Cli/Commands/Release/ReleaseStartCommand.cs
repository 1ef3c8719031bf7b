using System.ComponentModel;
using LightMesh.Cli.Api;
using LightMesh.Cli.Output;
using LightMesh.Host.Api;
using Spectre.Console.Cli;
using Spectre.Console;

namespace LightMesh.Cli.Commands.Release;

/// <summary><c>lightmesh release start SERVICE VERSION</c>: asks the controller to release a service's new version with a workflow.</summary>
public sealed class ReleaseStartCommand : AsyncCommand<ReleaseStartCommand.Settings>
{
    public sealed class Settings : ReleaseSettings
    {
        [CommandArgument(0, "<SERVICE>")]
        [Description("The Service to release (its stable version is deploy.versions.stable, or the version its instances run)")]
        public string Service { get; init; } = "";

        [CommandArgument(1, "<VERSION>")]
        [Description("The new version (its instances carry version=VERSION)")]
        public string Version { get; init; } = "";

        [CommandOption("--workflow <NAME>")]
        [Description("The ReleaseWorkflow to follow. Default: canary")]
        public string Workflow { get; init; } = "canary";

        [CommandOption("--image <IMAGE>")]
        [Description("The image to deploy, the service's repository tagged VERSION; only for a service LightMesh deploys")]
        public string? Image { get; init; }

        [CommandOption("--arg <KEY=VALUE>")]
        [Description("An argument for the workflow's analyses, overriding a step's own; repeat for more")]
        public string[] Args { get; init; } = [];

        [CommandOption("--actor <WHO>")]
        [Description("Who starts it, for the release's event log. Default: $USER, else operator")]
        public string? Actor { get; init; }

        [CommandOption("-w|--watch")]
        [Description("Then follow the release until it ends, as release status --watch does; exit 0 if it succeeded, 1 otherwise")]
        public bool Watch { get; init; }

        [CommandOption("--supersede")]
        [Description("Abort the service's running release (and wait for its rollback) instead of refusing")]
        public bool Supersede { get; init; }

        [CommandOption("--idempotency-key <KEY>")]
        [Description("Send the start with this key (a CI pipeline's run id, say): the same command run again with the same key answers the release the first run started, even if its answer was lost, and starts no other")]
        public string? IdempotencyKey { get; init; }

        public override ValidationResult Validate()
        {
            var problems = Args.Where(a => a.Split('=', 2) is not [{ Length: > 0 }, _]).Select(a => $"--arg: \"{a}\" must be KEY=VALUE").ToList();
            problems.AddRange(Args.Select(a => a.Split('=', 2)[0]).Where(k => k.Length > 0).GroupBy(k => k, StringComparer.Ordinal)
                .Where(g => g.Count() > 1).Select(g => $"--arg: \"{g.Key}\" is given {g.Count()} times"));
            if (Actor is not null && string.IsNullOrWhiteSpace(Actor))
            {
                problems.Add("--actor: must not be empty");
            }

            return problems.Count > 0 ? ValidationResult.Error(string.Join("; ", problems)) : base.Validate();
        }

        public StartBody ToBody() => new(
            Service, Version, Workflow, Image, Args.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal),
            Actor ?? DefaultActor, Supersede);
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var answer = await client.StartAsync(settings.ToBody(), cancellationToken, settings.IdempotencyKey);
        if (answer.Value is not { } release)
        {
            return ApiFailures.Report(answer);
        }

        if (settings.Output == "table")
        {
            Printer.Line(answer.Status == System.Net.HttpStatusCode.Created
                ? $"release {release.Id} started"
                : $"release {release.Id} was started before, by a start with the same idempotency key; nothing new started");
        }

        if (settings.Watch)
        {
            return await ReleaseStatusCommand.FollowAsync(client, release.Id, settings.Output, cancellationToken);
        }

        ReleaseOutput.One(release, settings.Output, detailed: false);
        return ExitCodes.Ok;
    }
}
