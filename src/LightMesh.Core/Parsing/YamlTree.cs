using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LightMesh.Core.Parsing;

/// <summary>
/// Reads YAML (and so JSON, which is YAML) into <see cref="JsonNode"/> trees, one per document, keeping
/// plain scalars' types (number, bool, null) apart from quoted strings so type errors can be reported.
/// </summary>
internal static partial class YamlTree
{
    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    /// <summary>One document of a stream; <see cref="Root"/> is null for an empty document.</summary>
    internal sealed record YamlDocumentNode(JsonNode? Root, int Line);

    /// <summary>Parses every document of <paramref name="text"/>; on a syntax error returns its message instead.</summary>
    public static (IReadOnlyList<YamlDocumentNode> Documents, string? SyntaxError) Parse(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return ([], $"line {e.Start.Line}, column {e.Start.Column}: {Inner(e).Message}");
        }

        var documents = new List<YamlDocumentNode>();
        foreach (var document in stream.Documents)
        {
            var root = document.RootNode;
            var line = (int)root.Start.Line;
            if (root is YamlSequenceNode list && root.Start.Line == 1 && text.TrimStart().StartsWith('['))
            {
                // A JSON array at the top of a file holds several documents.
                documents.AddRange(list.Children.Select(item => new YamlDocumentNode(Convert(item), (int)item.Start.Line)));
                continue;
            }

            documents.Add(new YamlDocumentNode(Convert(root), line));
        }

        return (documents, null);
    }

    private static Exception Inner(Exception e) => e.InnerException is YamlException inner ? Inner(inner) : e;

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => ConvertMap(map),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new YamlException(node.Start, node.End, "aliases are not supported"),
    };

    private static JsonObject ConvertMap(YamlMappingNode map)
    {
        var result = new JsonObject();
        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                throw new YamlException(keyNode.Start, keyNode.End, "mapping keys must be plain strings");
            }

            // YamlDotNet has already refused duplicate keys while loading.
            result[key] = Convert(valueNode);
        }

        return result;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(value);
        }

        return ResolvePlain(value);
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
