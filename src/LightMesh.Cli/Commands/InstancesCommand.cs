using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LightMesh.Cli.Output;
using LightMesh.Etcd.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary><c>lightmesh instances SERVICE</c>: the live instances of a service, with the time their lease has left.</summary>
public sealed class InstancesCommand : AsyncCommand<InstancesCommand.Settings>
{
    public sealed class Settings : GlobalSettings
    {
        [CommandArgument(0, "<SERVICE>")]
        public string Service { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var etcd = settings.Connect();
        var registry = new InstanceRegistry(etcd, TimeProvider.System, NullLogger<InstanceRegistry>.Instance);
        var instances = (await registry.ListAsync(settings.Service, cancellationToken)).OrderBy(i => i.Instance.Id, StringComparer.Ordinal).ToList();
        switch (settings.Output)
        {
            case "json":
                Printer.Json(instances.Select(ToNode).ToList(), asList: true);
                break;
            case "yaml":
                Printer.Yaml(instances.Select(ToNode).ToList());
                break;
            default:
                Printer.Table(
                    ["ID", "VERSION", "ADDRESS", "NODE", "TTL LEFT", "LABELS"],
                    instances.Select(i => (IReadOnlyList<string>)
                    [
                        i.Instance.Id, i.Instance.Version, $"{i.Instance.Address}:{i.Instance.Port}", i.Instance.Node ?? "",
                        $"{i.TimeToLive.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s", DocumentRows.Labels(i.Instance.Labels),
                    ]));
                break;
        }

        return ExitCodes.Ok;
    }

    private static JsonNode ToNode(LiveInstance live)
    {
        var node = JsonSerializer.SerializeToNode(live.Instance, JsonSerializerOptions.Web)!.AsObject();
        node["lease"] = live.Lease;
        node["ttlSeconds"] = live.TimeToLive.TotalSeconds;
        return node;
    }
}
