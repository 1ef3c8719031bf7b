using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace LightMesh.Cli.Output;

/// <summary>
/// Help that reads at 80 columns: commands listed by name alone (their arguments are in each command's own help), so
/// descriptions get the width; the root help says what LightMesh is and which options every verb takes.
/// </summary>
public sealed class LightMeshHelp(ICommandAppSettings settings) : HelpProvider(settings)
{
    public const string Description =
        "LightMesh Release: a service mesh control plane and release orchestrator without Kubernetes. Services and " +
        "routes (Istio VirtualService and DestinationRule) live in etcd; the controller serves them to Envoy and " +
        "proxyless gRPC over xDS and carries out releases: canary weights, Prometheus analysis, automatic rollback.";

    public override IEnumerable<IRenderable> GetDescription(ICommandModel model, ICommandInfo? command) =>
        command is null
            ? [new Text(Description), Text.NewLine, Text.NewLine]
            : base.GetDescription(model, command);

    public override IEnumerable<IRenderable> GetCommands(ICommandModel model, ICommandInfo? command)
    {
        var commands = (command is null ? model.Commands : command.Commands).Where(c => !c.IsHidden).ToList();
        if (commands.Count == 0)
        {
            return [];
        }

        var grid = new Grid();
        grid.AddColumn(new GridColumn { Padding = new Padding(4, 0, 2, 0), NoWrap = true });
        grid.AddColumn(new GridColumn { Padding = new Padding(0, 0, 0, 0) });
        foreach (var child in commands)
        {
            grid.AddRow(new Text(child.Name), new Text(child.Description?.TrimEnd('.') ?? ""));
        }

        return [Text.NewLine, new Markup("[yellow]COMMANDS:[/]"), Text.NewLine, grid, Text.NewLine];
    }

    public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command) =>
        command is null
            ? [Text.NewLine, new Text(
                "Every verb that reads or writes etcd takes --etcd URLS, --prefix, -o table|json|yaml and, where etcd " +
                "needs them, --etcd-user, --etcd-password-file, --etcd-ca, --etcd-cert, --etcd-key. The release, schedule, " +
                "window and proxies verbs talk to a controller: --server URL and --token. " +
                "'lightmesh COMMAND --help' shows a command's arguments and options."), Text.NewLine]
            : base.GetFooter(model, command);
}
