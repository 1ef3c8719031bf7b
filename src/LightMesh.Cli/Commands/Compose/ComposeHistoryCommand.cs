using System.Globalization;
using System.Text.Json;
using LightMesh.Cli.Output;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Compose;

/// <summary><c>lightmesh compose history --node NAME</c>: every revision applied to the node, oldest first.</summary>
public sealed class ComposeHistoryCommand : AsyncCommand<ComposeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ComposeSettings settings, CancellationToken cancellationToken)
    {
        using var etcd = settings.Connect();
        var history = await settings.CreateDeployer(etcd).HistoryAsync(settings.Node, cancellationToken);
        switch (settings.Output)
        {
            case "json":
                Printer.Json(history.Select(r => JsonSerializer.SerializeToNode(r, JsonSerializerOptions.Web)!).ToList(), asList: true);
                break;
            case "yaml":
                Printer.Yaml(history.Select(r => JsonSerializer.SerializeToNode(r, JsonSerializerOptions.Web)!).ToList());
                break;
            default:
                Printer.Table(
                    ["SEQ", "REVISION", "KIND", "PREVIOUS", "APPLIED", "CONTAINERS"],
                    history.Select(r => (IReadOnlyList<string>)
                    [
                        r.Sequence.ToString(CultureInfo.InvariantCulture), r.Revision, r.Kind, r.Previous ?? "",
                        r.AppliedAt.ToString("u", CultureInfo.InvariantCulture), string.Join(",", r.Containers.Select(c => c.ComposeService)),
                    ]));
                break;
        }

        return ExitCodes.Ok;
    }
}
