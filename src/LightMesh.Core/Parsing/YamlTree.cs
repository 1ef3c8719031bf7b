using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>
/// Reads YAML (and so JSON, which is YAML) into <see cref="JsonNode"/> trees, one per document, keeping
/// plain scalars' types (number, bool, null) apart from quoted strings so type errors can be reported.
/// Input past <see cref="DocumentLimits"/> is refused before it can exhaust the process.
/// </summary>
internal static partial class YamlTree
{
    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    /// <summary>One document of a stream, numbered from 1; <see cref="Root"/> is null for an empty document.</summary>
    internal sealed record YamlDocumentNode(JsonNode? Root, int Number, int Line)
    {
        /// <summary>How errors name the document until its kind and name are known.</summary>
        public string Label => LabelOf(Number, Line);
    }

    public static string LabelOf(int number, int line) => $"document {number} (line {line})";

    /// <summary>
    /// Every document of <paramref name="text"/>, or every error that keeps the file from being read (syntax, a limit,
    /// a duplicate key, an alias cycle, a character no document may hold), each naming <paramref name="source"/>.
    /// </summary>
    public static (IReadOnlyList<YamlDocumentNode> Documents, IReadOnlyList<ValidationError> Errors) Parse(string text, string source)
    {
        if (FileError(text) is { } error)
        {
            return ([], [new ValidationError(source, "", "", error)]);
        }

        return new YamlTreeBuilder(source, text).Read();
    }

    /// <summary>What is wrong with the file as a whole, seen before it is parsed: its size, a character, a JSON comment.</summary>
    private static string? FileError(string text)
    {
        // Counting UTF-8 bytes is cheap next to parsing, and the limit is the one the API's body has.
        if (text.Length > DocumentLimits.MaxBytes / 3 && Encoding.UTF8.GetByteCount(text) > DocumentLimits.MaxBytes)
        {
            return $"larger than {DocumentLimits.MaxBytes} bytes, the limit for a file";
        }

        if (DocumentCharacters.CheckText(text) is { } character)
        {
            return character;
        }

        var start = text.AsSpan().TrimStart();
        if (start.StartsWith("{") || start.StartsWith("[") || start.StartsWith("//") || start.StartsWith("/*"))
        {
            return JsonComments.FirstLine(Encoding.UTF8.GetBytes(text)) is { } line ? JsonComments.Error(line) : null;
        }

        return null;
    }

    /// <summary>How a plain (unquoted) scalar reads: null, bool, integer, float, or else a string (YAML 1.2 core schema).</summary>
    internal static JsonNode? ResolvePlain(string value)
    {
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }
}
