using System.Text.Json;
using System.Text.Json.Serialization;
using LightMesh.Core.Mesh;

namespace LightMesh.Etcd.Registry;

/// <summary>The JSON form of an <see cref="Instance"/> as stored under <c>instances/{service}/{id}</c>.</summary>
public static class InstanceCodec
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write(Instance instance) => JsonSerializer.Serialize(instance, Options);

    public static Instance? Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Instance>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
