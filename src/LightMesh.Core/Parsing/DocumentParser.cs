using System.Text.Json.Nodes;
using LightMesh.Core.Documents;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>The documents of one file, and everything wrong with them.</summary>
public sealed record ParseResult(IReadOnlyList<SourcedDocument> Documents, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>Parses files of YAML documents (separated by <c>---</c>) or JSON into typed documents.</summary>
public static class DocumentParser
{
    /// <summary>Parses every document of <paramref name="text"/>; <paramref name="source"/> names the file in errors.</summary>
    public static ParseResult Parse(string text, string source)
    {
        var (trees, syntaxError) = YamlTree.Parse(text);
        if (syntaxError is not null)
        {
            return new ParseResult([], [new ValidationError(source, "", "", $"not valid YAML or JSON: {syntaxError}")]);
        }

        var errors = new List<ValidationError>();
        var documents = new List<SourcedDocument>();
        var number = 0;
        foreach (var tree in trees)
        {
            number++;
            if (tree.Root is null)
            {
                continue; // an empty document, e.g. after a trailing ---
            }

            if (DocumentCodec.Read(tree.Root, source, $"document {number} (line {tree.Line})", errors) is { } document)
            {
                documents.Add(new SourcedDocument(document, source));
            }
        }

        if (documents.Count == 0 && errors.Count == 0)
        {
            errors.Add(new ValidationError(source, "", "", "holds no documents"));
        }

        return new ParseResult(documents, errors);
    }

    /// <summary>Reads a document stored as JSON (as etcd holds it).</summary>
    public static ParseResult ParseJson(string json, string source)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            return new ParseResult([], [new ValidationError(source, "", "", $"not valid JSON: {e.Message}")]);
        }

        var errors = new List<ValidationError>();
        var document = DocumentCodec.Read(root, source, "document", errors);
        return new ParseResult(document is null ? [] : [new SourcedDocument(document, source)], errors);
    }
}
