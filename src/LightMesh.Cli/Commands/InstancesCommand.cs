using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Cli.Api;
using LightMesh.Cli.Output;
using LightMesh.Etcd.Registry;
using LightMesh.Host.Api;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>
/// <c>lightmesh instances SERVICE</c>: the live instances of a service, with the time their lease has left; through the
/// controller's API with <c>--server</c>, else from etcd directly.
/// </summary>
public sealed class InstancesCommand : AsyncCommand<InstancesCommand.Settings>
{
    public sealed class Settings : DocumentSettings
    {
        [CommandArgument(0, "<SERVICE>")]
        [Description("The Service whose registered instances to show")]
        public string Service { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        List<JsonObject> instances;
        if (settings.UsesController)
        {
            using var client = settings.CreateControllerClient();
            var answer = await client.SendAsync<List<JsonObject>>(HttpMethod.Get, $"{MeshEndpoints.Instances.TrimStart('/')}/{Uri.EscapeDataString(settings.Service)}", null, cancellationToken);
            if (answer.Value is not { } read)
            {
                return ApiFailures.Report(answer);
            }

            instances = read;
        }
        else
        {
            using var etcd = settings.Connect();
            var registry = new InstanceRegistry(etcd, TimeProvider.System, NullLogger<InstanceRegistry>.Instance);
            instances = [.. (await registry.ListAsync(settings.Service, cancellationToken)).OrderBy(i => i.Instance.Id, StringComparer.Ordinal).Select(MeshEndpoints.ToNode)];
        }

        switch (settings.Output)
        {
            case "json":
                Printer.Json([.. instances], asList: true);
                break;
            case "yaml":
                Printer.Yaml([.. instances]);
                break;
            default:
                Printer.Table(["ID", "VERSION", "ADDRESS", "NODE", "TTL LEFT", "LABELS"], instances.Select(Row));
                break;
        }

        return ExitCodes.Ok;
    }

    private static IReadOnlyList<string> Row(JsonObject i) =>
    [
        Text(i, "id"), Text(i, "version"), $"{Text(i, "address")}:{i["port"]}", Text(i, "node"),
        $"{i["ttlSeconds"]!.GetValue<double>().ToString(CultureInfo.InvariantCulture)}s",
        i["labels"] is JsonObject labels ? string.Join(",", labels.Select(kv => $"{kv.Key}={kv.Value}")) : "",
    ];

    private static string Text(JsonObject node, string field) => node[field]?.GetValue<string>() ?? "";
}
