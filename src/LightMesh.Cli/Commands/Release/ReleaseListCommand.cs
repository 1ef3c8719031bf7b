using LightMesh.Cli.Api;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary><c>lightmesh release list</c>: every release the controller knows, the latest last.</summary>
public sealed class ReleaseListCommand : AsyncCommand<ReleaseSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ReleaseSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var answer = await client.ListAsync(cancellationToken);
        if (answer.Value is not { } releases)
        {
            return ApiFailures.Report(answer);
        }

        ReleaseOutput.List(releases.OrderBy(r => r.StartedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList(), settings.Output);
        return ExitCodes.Ok;
    }
}
