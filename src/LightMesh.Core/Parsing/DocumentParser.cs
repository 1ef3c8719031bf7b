using System.Text;
using LightMesh.Core.Documents;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>The documents of one file, and everything wrong with them.</summary>
public sealed record ParseResult(IReadOnlyList<SourcedDocument> Documents, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Parses files of YAML documents (separated by <c>---</c>) or JSON into typed documents. Any input gives documents or
/// errors, never an exception: what is past <see cref="DocumentLimits"/> is refused with an error saying where.
/// </summary>
public static class DocumentParser
{
    /// <summary>Parses a file's bytes, which must be UTF-8 of at most <see cref="DocumentLimits.MaxBytes"/>; <paramref name="source"/> names it in errors.</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> utf8, string source)
    {
        if (utf8.Length > DocumentLimits.MaxBytes)
        {
            return Refused(source, $"larger than {DocumentLimits.MaxBytes} bytes, the limit for a file");
        }

        var (text, error) = DocumentCharacters.Decode(utf8);
        return text is null ? Refused(source, error!) : Parse(text, source);
    }

    /// <summary>Parses every document of <paramref name="text"/>; <paramref name="source"/> names the file in errors.</summary>
    public static ParseResult Parse(string text, string source)
    {
        var (trees, treeErrors) = YamlTree.Parse(text, source);
        if (treeErrors.Count > 0)
        {
            return new ParseResult([], treeErrors);
        }

        var errors = new List<ValidationError>();
        var documents = new List<SourcedDocument>();
        foreach (var tree in trees)
        {
            if (tree.Root is null)
            {
                continue; // an empty document, e.g. after a trailing ---
            }

            if (DocumentCodec.Read(tree.Root, source, tree.Label, errors) is { } document)
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
        var (root, error) = JsonText.Parse(Encoding.UTF8.GetBytes(json));
        if (error is not null)
        {
            return Refused(source, error);
        }

        var errors = new List<ValidationError>();
        var document = DocumentCodec.Read(root, source, "document", errors);
        return new ParseResult(document is null ? [] : [new SourcedDocument(document, source)], errors);
    }

    private static ParseResult Refused(string source, string error) => new([], [new ValidationError(source, "", "", error)]);
}
