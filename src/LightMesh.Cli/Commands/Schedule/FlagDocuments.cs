using System.Text.Json.Nodes;
using LightMesh.Client;
using LightMesh.Cli.Output;
using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;

namespace LightMesh.Cli.Commands.Schedule;

/// <summary>
/// A document made from a verb's flags (<c>schedule add</c>, <c>window add</c>): read by the same parser as a file, its
/// errors named by the flag they came from, then applied through the controller's document API.
/// </summary>
public static class FlagDocuments
{
    public const string Source = "flags";

    /// <summary>Applies the document <paramref name="spec"/> describes; every problem is reported by flag, and nothing is written then.</summary>
    public static async Task<int> ApplyAsync(IControllerSettings settings, DocumentKind kind, string name, JsonObject spec, IReadOnlyDictionary<string, string> flagOf, CancellationToken cancellationToken)
    {
        var tree = new JsonObject
        {
            ["apiVersion"] = DocumentKinds.LightMeshApiVersion,
            ["kind"] = kind.ToString(),
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
        };
        var errors = new List<ValidationError>();
        if (DocumentCodec.Read(tree, Source, $"{kind}/{name}", errors) is not { } document)
        {
            Printer.Errors(errors.Select(e => $"{FlagOf(e.Path, flagOf)}: {e.Message}"));
            Printer.Error("nothing was written");
            return ExitCodes.InvalidInput;
        }

        using var client = new DocumentClient(settings.CreateControllerClient());
        return DocumentAnswers.Applied(await client.ApplyAsync([document], force: false, dryRun: false, cancellationToken), [new SourcedDocument(document, Source)]);
    }

    /// <summary>Deletes the document through the controller's API.</summary>
    public static async Task<int> DeleteAsync(IControllerSettings settings, DocumentKind kind, string name, CancellationToken cancellationToken)
    {
        using var client = new DocumentClient(settings.CreateControllerClient());
        return DocumentAnswers.Deleted(await client.DeleteAsync(kind, name, force: false, cancellationToken), $"{kind}/{name}");
    }

    /// <summary>Reads repeated <c>KEY=VALUE</c> flags; null when none were given.</summary>
    public static JsonObject? Pairs(string[] pairs) => pairs.Length == 0
        ? null
        : new JsonObject(pairs.Select(p => p.Split('=', 2)).Select(p => KeyValuePair.Create(p[0], (JsonNode?)JsonValue.Create(p.Length > 1 ? p[1] : ""))));

    public static IEnumerable<string> PairProblems(string flag, string[] pairs) =>
        pairs.Where(a => a.Split('=', 2) is not [{ Length: > 0 }, _]).Select(a => $"{flag}: \"{a}\" must be KEY=VALUE");

    // spec.cron -> --cron; spec.args.x -> --arg x; spec (a rule across fields) -> the flags it concerns; anything unmapped keeps its path.
    private static string FlagOf(string path, IReadOnlyDictionary<string, string> flagOf)
    {
        if (path.StartsWith("spec.args.", StringComparison.Ordinal) && flagOf.TryGetValue("args", out var argFlag))
        {
            return $"{argFlag} {path["spec.args.".Length..]}";
        }

        var field = path == "spec" ? "" : path.StartsWith("spec.", StringComparison.Ordinal) ? path["spec.".Length..].Split('.', '[')[0] : path;
        return path == "metadata.name" ? "NAME" : flagOf.GetValueOrDefault(field, path);
    }
}
