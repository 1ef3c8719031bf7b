using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace LightMesh.Core.Parsing;

/// <summary>Writes <see cref="JsonNode"/> trees as block-style YAML that <see cref="YamlTree"/> reads back to the same tree.</summary>
public static class YamlText
{
    /// <summary>Writes each node as one YAML document, separated by <c>---</c>.</summary>
    public static string Write(IEnumerable<JsonNode> documents) => Write(documents, explicitStart: true);

    /// <summary>Writes a single YAML document with no <c>---</c> before it, as tools such as docker-compose expect.</summary>
    public static string WriteOne(JsonNode document) => Write([document], explicitStart: false);

    private static string Write(IEnumerable<JsonNode> documents, bool explicitStart)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, false, false, "\n", false));
        emitter.Emit(new StreamStart());
        foreach (var document in documents)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: !explicitStart));
            Emit(emitter, document);
            emitter.Emit(new DocumentEnd(isImplicit: true));
        }

        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
                foreach (var (key, value) in map)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray list:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, SequenceStyle.Block));
                foreach (var item in list)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                EmitString(emitter, value.GetValue<string>());
                break;
            default:
                emitter.Emit(new Scalar(null, null, node.ToJsonString(), ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string text)
    {
        // A string that would read back as a number, bool or null must be quoted.
        var style = YamlTree.ResolvePlain(text) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? ScalarStyle.Any : ScalarStyle.DoubleQuoted;
        emitter.Emit(new Scalar(null, null, text, style, isPlainImplicit: true, isQuotedImplicit: true));
    }
}
