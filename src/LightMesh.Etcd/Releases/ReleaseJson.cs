using System.Text.Json;
using System.Text.Json.Serialization;

namespace LightMesh.Etcd.Releases;

/// <summary>How releases are written as JSON, in etcd and in the API: camelCase, enums by name (as the API documents them: Progressing, Paused, ...), NaN kept (a metric can be NaN).</summary>
public static class ReleaseJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
        Converters = { new JsonStringEnumConverter() },
    };
}
