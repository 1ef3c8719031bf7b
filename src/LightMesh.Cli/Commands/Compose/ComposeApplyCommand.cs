using LightMesh.Cli.Output;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Compose;

/// <summary><c>lightmesh compose apply --node NAME</c>: converges the node's Docker Engine and prints each action.</summary>
public sealed class ComposeApplyCommand : AsyncCommand<ComposeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ComposeSettings settings, CancellationToken cancellationToken)
    {
        using var etcd = settings.Connect();
        var progress = new Progress<string>(Printer.Line);
        return DeployResults.Report(await settings.CreateDeployer(etcd).ApplyAsync(settings.Node, settings.ParsedCanaries, progress, cancellationToken));
    }
}
