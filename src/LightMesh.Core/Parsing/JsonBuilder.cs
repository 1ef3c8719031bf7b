using System.Text.Json.Nodes;

namespace LightMesh.Core.Parsing;

/// <summary>Builds the JSON form of a document, leaving unset fields out so a written document matches what was read.</summary>
internal static class JsonBuilder
{
    public static JsonObject Set(this JsonObject obj, string field, JsonNode? value)
    {
        if (value is not null)
        {
            obj[field] = value;
        }

        return obj;
    }

    public static JsonObject Set(this JsonObject obj, string field, string? value) => obj.Set(field, value is null ? null : JsonValue.Create(value));

    public static JsonObject Set(this JsonObject obj, string field, int? value) => obj.Set(field, value is null ? null : JsonValue.Create(value.Value));

    public static JsonObject Set(this JsonObject obj, string field, bool? value) => obj.Set(field, value is null ? null : JsonValue.Create(value.Value));

    /// <summary>Adds a number, written as an integer when it is one (<c>10</c>, not <c>10.0</c>).</summary>
    public static JsonObject SetNumber(this JsonObject obj, string field, double? value) =>
        obj.Set(field, value is not { } v ? null : v == Math.Floor(v) && Math.Abs(v) < 1e15 ? JsonValue.Create((long)v) : JsonValue.Create(v));

    public static JsonObject SetPercent(this JsonObject obj, string field, double? value) =>
        value is null ? obj : obj.Set(field, new JsonObject().SetNumber("value", value));

    public static JsonObject Set<T>(this JsonObject obj, string field, IReadOnlyCollection<T>? items, Func<T, JsonNode> write, bool keepEmpty = false) =>
        items is null || (items.Count == 0 && !keepEmpty) ? obj : obj.Set(field, new JsonArray(items.Select(write).ToArray()));

    public static JsonObject Set(this JsonObject obj, string field, IReadOnlyList<string>? items) =>
        items is null ? obj : obj.Set(field, new JsonArray([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]));

    public static JsonObject Set(this JsonObject obj, string field, IReadOnlyDictionary<string, string>? map) =>
        map is null ? obj : obj.Set(field, new JsonObject(map.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))));
}
