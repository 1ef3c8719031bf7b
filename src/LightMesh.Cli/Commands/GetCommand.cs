using LightMesh.Cli.Output;
using LightMesh.Core.Parsing;
using LightMesh.Etcd.Documents;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary><c>lightmesh get KIND [NAME]</c>: prints stored documents; <c>-o yaml</c> gives back what <c>apply</c> takes.</summary>
public sealed class GetCommand : AsyncCommand<KindSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, KindSettings settings, CancellationToken cancellationToken)
    {
        using var etcd = settings.Connect();
        var store = new DocumentStore(etcd);
        var documents = (await store.ListAsync(settings.Kind, cancellationToken))
            .Where(d => settings.Name is null || d.Name == settings.Name)
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToList();
        if (settings.Name is not null && documents.Count == 0)
        {
            Printer.Error($"{settings.Kind}/{settings.Name} not found");
            return ExitCodes.NotFound;
        }

        switch (settings.Output)
        {
            case "json":
                Printer.Json(documents.Select(DocumentCodec.Write).ToList<System.Text.Json.Nodes.JsonNode>(), asList: settings.Name is null);
                break;
            case "yaml":
                Printer.Yaml(documents.Select(DocumentCodec.Write).ToList<System.Text.Json.Nodes.JsonNode>());
                break;
            default:
                Printer.Table(DocumentRows.Headers(settings.Kind), documents.Select(DocumentRows.Row));
                break;
        }

        return ExitCodes.Ok;
    }
}
