using LightMesh.Cli.Output;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Compose;

/// <summary><c>lightmesh compose undo --node NAME</c>: returns the node to the revision it ran before the last apply.</summary>
public sealed class ComposeUndoCommand : AsyncCommand<ComposeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ComposeSettings settings, CancellationToken cancellationToken)
    {
        using var etcd = settings.Connect();
        return DeployResults.Report(await settings.CreateDeployer(etcd).UndoAsync(settings.Node, new Progress<string>(Printer.Line), cancellationToken));
    }
}
