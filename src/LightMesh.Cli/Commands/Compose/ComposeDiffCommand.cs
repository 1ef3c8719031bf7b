using LightMesh.Cli.Output;
using LightMesh.Deployer;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Compose;

/// <summary><c>lightmesh compose diff --node NAME</c>: per container, what apply would do (keep, create, recreate, start, remove).</summary>
public sealed class ComposeDiffCommand : AsyncCommand<ComposeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ComposeSettings settings, CancellationToken cancellationToken)
    {
        using var etcd = settings.Connect();
        var (outcome, actions, errors) = await settings.CreateDeployer(etcd).DiffAsync(settings.Node, settings.ParsedCanaries, cancellationToken);
        if (outcome != DeployOutcome.Applied)
        {
            errors.ToList().ForEach(Printer.Error);
            return outcome == DeployOutcome.NotFound ? ExitCodes.NotFound : ExitCodes.InvalidInput;
        }

        Printer.Table(["ACTION", "CONTAINER", "WHY"], actions.Select(a => (IReadOnlyList<string>)[a.Kind.ToString().ToLowerInvariant(), a.ComposeService, a.Reason]));
        return ExitCodes.Ok;
    }
}
