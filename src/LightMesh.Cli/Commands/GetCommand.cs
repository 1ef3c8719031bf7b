using System.Text.Json.Nodes;
using LightMesh.Cli.Output;
using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Etcd.Documents;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>
/// <c>lightmesh get KIND [NAME]</c>: prints stored documents; <c>-o yaml</c> gives back what <c>apply</c> takes.
/// Through the controller's API with <c>--server</c>, else from etcd directly; printed the same either way.
/// </summary>
public sealed class GetCommand : AsyncCommand<KindSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, KindSettings settings, CancellationToken cancellationToken)
    {
        IReadOnlyList<Document> stored;
        if (settings.UsesController)
        {
            using var client = settings.CreateDocumentClient();
            var answer = settings.Name is { } name
                ? await client.GetAsync(settings.Kind, name, cancellationToken)
                : await client.ListAsync(settings.Kind, cancellationToken);
            if (DocumentAnswers.Unread(answer, ListHint(settings)) is { } failed)
            {
                return failed;
            }

            stored = answer.Value!;
        }
        else
        {
            using var etcd = settings.Connect();
            stored = await new DocumentStore(etcd).ListAsync(settings.Kind, cancellationToken);
        }

        var documents = stored
            .Where(d => settings.Name is null || d.Name == settings.Name)
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToList();
        if (settings.Name is not null && documents.Count == 0)
        {
            Printer.Error($"{settings.Kind}/{settings.Name} not found{ListHint(settings)}");
            return ExitCodes.NotFound;
        }

        switch (settings.Output)
        {
            case "json":
                Printer.Json(documents.Select(DocumentCodec.Write).ToList<JsonNode>(), asList: settings.Name is null);
                break;
            case "yaml":
                Printer.Yaml(documents.Select(DocumentCodec.Write).ToList<JsonNode>());
                break;
            default:
                Printer.Table(DocumentRows.Headers(settings.Kind), documents.Select(DocumentRows.Row));
                break;
        }

        return ExitCodes.Ok;
    }

    /// <summary>Where a document that is not found may be looked for: the list of its kind.</summary>
    private static string ListHint(KindSettings settings) => $"; lightmesh get {settings.KindText} lists what is stored";
}
