using LightMesh.Demo.Dev;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Dev;

/// <summary><c>lightmesh dev down</c>: stops everything the dev environment started and removes its data and logs.</summary>
public sealed class DevDownCommand : AsyncCommand<DevSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DevSettings settings, CancellationToken cancellationToken)
    {
        await new DevEnvironment(Console.Out, DevSettings.Invocation).DownAsync(settings.DevDirectory, cancellationToken);
        return ExitCodes.Ok;
    }
}
