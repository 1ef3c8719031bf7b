using LightMesh.Demo.Dev;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Dev;

/// <summary>
/// <c>lightmesh dev up</c>: etcd, a controller and a Prometheus that finds instances through it, on free ports of
/// 127.0.0.1, for trying LightMesh on this machine (see <see cref="DevEnvironment"/>). They run on until <c>dev down</c>.
/// </summary>
public sealed class DevUpCommand : AsyncCommand<DevSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DevSettings settings, CancellationToken cancellationToken)
    {
        await new DevEnvironment(Console.Out, DevSettings.Invocation).UpAsync(settings.DevDirectory, cancellationToken);
        return ExitCodes.Ok;
    }
}
