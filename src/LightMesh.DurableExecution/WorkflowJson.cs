using System.Text.Json;
using System.Text.Json.Serialization;
using LightMesh.Core;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution;

/// <summary>How WorkflowCore's models are stored: System.Text.Json, with object-typed values limited to an allow-list.</summary>
internal sealed class WorkflowJson
{
    private static readonly Type[] Primitives =
    [
        typeof(string), typeof(bool), typeof(int), typeof(long), typeof(double), typeof(decimal),
        typeof(DateTime), typeof(DateTimeOffset), typeof(Guid), typeof(TimeSpan),
    ];

    // WorkflowCore's own primitives (If, While, ForEach, Schedule, activities) keep these in a pointer; without them
    // every control-flow step would fail to persist.
    private static readonly Type[] WorkflowCoreTypes =
    [
        typeof(ControlPersistenceData), typeof(IteratorPersistenceData), typeof(SchedulePersistenceData), typeof(ActivityResult),
    ];

    private readonly JsonSerializerOptions _options;

    public WorkflowJson(IReadOnlyCollection<Type> dataTypes)
    {
        ArgumentNullException.ThrowIfNull(dataTypes);
        var allowed = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var type in Primitives.Concat(WorkflowCoreTypes).Concat(dataTypes))
        {
            var name = type.FullName ?? throw new ArgumentException($"{type} has no full name and cannot be a workflow data type", nameof(dataTypes));
            var former = type.GetCustomAttributes(typeof(FormerNamesAttribute), inherit: false).OfType<FormerNamesAttribute>().SelectMany(a => a.Names);
            foreach (var known in former.Prepend(name))
            {
                if (allowed.TryGetValue(known, out var other) && other != type)
                {
                    throw new ArgumentException($"two workflow data types are both named {known}", nameof(dataTypes));
                }

                allowed[known] = type;
            }
        }

        _options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Converters = { new TypedValueConverter(allowed), new JsonStringEnumConverter() },
        };
    }

    public string Write<T>(T value, string key)
    {
        try
        {
            return JsonSerializer.Serialize(value, _options);
        }
        catch (JsonException e)
        {
            throw new LightMeshException($"cannot store {key}: {e.Message}", e);
        }
    }

    public T Read<T>(string json, string key)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, _options) ?? throw new JsonException("the stored value is null");
        }
        catch (JsonException e)
        {
            throw new LightMeshException($"cannot read {key}: {e.Message}", e);
        }
    }
}
