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

    /// <summary>A verb's own options, then those of each branch it is under, which it takes too (<c>release start --server</c>).</summary>
    public override IEnumerable<IRenderable> GetOptions(ICommandModel model, ICommandInfo? command)
    {
        foreach (var own in base.GetOptions(model, command))
        {
            yield return own;
        }

        for (var branch = command?.Parent; branch is not null; branch = branch.Parent)
        {
            var shared = branch.Parameters.OfType<ICommandOption>().Where(o => !o.IsHidden).ToList();
            if (shared.Count == 0)
            {
                continue;
            }

            var grid = new Grid();
            grid.AddColumn(new GridColumn { Padding = new Padding(4, 0, 4, 0), NoWrap = true });
            grid.AddColumn(new GridColumn { Padding = new Padding(0, 0, 0, 0) });
            foreach (var option in shared)
            {
                grid.AddRow(new Text(Usage(option)), new Text(option.Description ?? ""));
            }

            yield return Text.NewLine;
            yield return new Markup($"[yellow]OPTIONS OF {branch.Name.ToUpperInvariant()}[/] (every {branch.Name} verb takes them):");
            yield return Text.NewLine;
            yield return grid;
        }
    }

    public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command) =>
        command is null
            ? [Text.NewLine, new Text(
                "Every verb that reads or writes etcd takes --etcd URLS, --prefix, -o table|json|yaml and, where etcd " +
                "needs them, --etcd-user, --etcd-password-file, --etcd-ca, --etcd-cert, --etcd-key. The release, schedule, " +
                "window and proxies verbs talk to a controller: --server URL and --token. " +
                "'lightmesh COMMAND --help' shows a command's arguments and options."), Text.NewLine]
            : base.GetFooter(model, command);

    /// <summary>An option as its help writes it: <c>-o, --output &lt;FORMAT&gt;</c>, <c>    --server &lt;URL&gt;</c>.</summary>
    private static string Usage(ICommandOption option)
    {
        var names = option.ShortNames.Select(n => $"-{n}").Concat(option.LongNames.Select(n => $"--{n}"));
        var value = option.ValueName is null ? "" : option.ValueIsOptional ? $" [{option.ValueName}]" : $" <{option.ValueName}>";
        // As the verb's own options are written: a long name alone stands where it would after "-x, ".
        return (option.ShortNames.Count == 0 ? "    " : "") + string.Join(", ", names) + value;
    }
}
