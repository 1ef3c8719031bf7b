using LightMesh.Cli.Output;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Dev;

/// <summary><c>lightmesh dev down</c>: stops everything the dev environment started and removes its data and logs.</summary>
public sealed class DevDownCommand : AsyncCommand<DevSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DevSettings settings, CancellationToken cancellationToken)
    {
        var dir = settings.DevDirectory;
        if (!Directory.Exists(dir))
        {
            Printer.Line($"no dev environment in {dir}: nothing to stop");
            return ExitCodes.Ok;
        }

        using (await DevLock.TakeAsync(dir, cancellationToken))
        {
            if (DevState.Read(dir) is { } state)
            {
                await DevDirectory.StopAllAsync(state, cancellationToken);
            }

            DevDirectory.Clear(dir);
        }

        Directory.Delete(dir, recursive: true);
        Printer.Line($"removed {dir}");
        return ExitCodes.Ok;
    }
}
