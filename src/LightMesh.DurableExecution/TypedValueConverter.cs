using System.Text.Json;
using System.Text.Json.Serialization;

namespace LightMesh.DurableExecution;

/// <summary>
/// Writes every <see cref="object"/>-typed value as <c>{"type": "full name", "value": json}</c> and reads it back only
/// as a type on the allow-list, so stored JSON can never make the controller instantiate a type it did not name.
/// </summary>
internal sealed class TypedValueConverter(IReadOnlyDictionary<string, Type> allowed) : JsonConverter<object>
{
    public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("type", out var name) || name.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("value", out var value))
        {
            throw new JsonException("a stored workflow value must be {\"type\": \"<type name>\", \"value\": <json>}");
        }

        var typeName = name.GetString()!;
        if (!allowed.TryGetValue(typeName, out var type))
        {
            throw new JsonException($"type '{typeName}' is not one of the workflow data types this controller accepts");
        }

        return value.Deserialize(type, options);
    }

    public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options)
    {
        var type = value.GetType();
        if (!allowed.TryGetValue(type.FullName ?? "", out var known) || known != type)
        {
            // Refused on the way in: a value that could not be read back would leave its workflow stuck for good.
            throw new JsonException($"type '{type.FullName}' is not one of the workflow data types this controller accepts (pass it to UseEtcd)");
        }

        writer.WriteStartObject();
        writer.WriteString("type", type.FullName);
        writer.WritePropertyName("value");
        JsonSerializer.Serialize(writer, value, type, options);
        writer.WriteEndObject();
    }
}
