using LightMesh.Cli.Output;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Compose;

/// <summary><c>lightmesh compose render --node NAME</c>: the node's compose document, as apply would converge to it.</summary>
public sealed class ComposeRenderCommand : AsyncCommand<ComposeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ComposeSettings settings, CancellationToken cancellationToken)
    {
        using var etcd = settings.Connect();
        var (node, plan) = await settings.CreateDeployer(etcd).RenderAsync(settings.Node, settings.ParsedCanaries, cancellationToken);
        if (plan.Plan is null)
        {
            plan.Errors.ToList().ForEach(Printer.Error);
            return node is null ? ExitCodes.NotFound : ExitCodes.InvalidInput;
        }

        Console.Write(plan.Plan.Yaml);
        return ExitCodes.Ok;
    }
}
