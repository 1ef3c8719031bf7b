using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>
/// Strict, error-collecting access to one document's tree. Every read names its path; every problem is
/// recorded and reading goes on, so a document's errors are all reported at once.
/// </summary>
internal sealed class ReadContext(string source, List<ValidationError> errors)
{
    /// <summary><c>Kind/name</c> of the document being read, set once known.</summary>
    public string Document { get; set; } = "";

    public int ErrorCount => errors.Count;

    public void Error(string path, string message) => errors.Add(new ValidationError(source, Document, path, message));

    public static string Field(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    public static string Index(string path, int index) => $"{path}[{index}]";

    /// <summary>Reads an object whose only allowed fields are <paramref name="fields"/>; reports any other as unsupported.</summary>
    public JsonObject? Object(JsonNode? node, string path, params string[] fields)
    {
        if (node is not JsonObject obj)
        {
            Error(path, $"must be an object, not {Describe(node)}");
            return null;
        }

        foreach (var (key, _) in obj)
        {
            if (!fields.Contains(key, StringComparer.Ordinal))
            {
                Error(Field(path, key), $"unknown or unsupported field (supported here: {string.Join(", ", fields)})");
            }
        }

        return obj;
    }

    public JsonObject? OptionalObject(JsonObject parent, string path, string field, params string[] fields) =>
        Present(parent, field) ? Object(parent[field], Field(path, field), fields) : null;

    /// <summary>Reads an object whose keys are names chosen by the user (headers, labels), not fields.</summary>
    public JsonObject? OptionalMap(JsonObject parent, string path, string field)
    {
        if (!Present(parent, field))
        {
            return null;
        }

        if (parent[field] is JsonObject obj)
        {
            return obj;
        }

        Error(Field(path, field), $"must be a map, not {Describe(parent[field])}");
        return null;
    }

    public string? String(JsonObject parent, string path, string field, bool required = false)
    {
        if (!Present(parent, field))
        {
            return Missing<string>(path, field, required);
        }

        if (parent[field] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        Error(Field(path, field), $"must be a string, not {Describe(parent[field])}");
        return null;
    }

    public bool? Bool(JsonObject parent, string path, string field)
    {
        if (!Present(parent, field))
        {
            return null;
        }

        if (parent[field] is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetValue<bool>();
        }

        Error(Field(path, field), $"must be true or false, not {Describe(parent[field])}");
        return null;
    }

    /// <summary>Reads a whole number and checks it lies in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public int? Int(JsonObject parent, string path, string field, int min, int max, bool required = false)
    {
        if (!Present(parent, field))
        {
            return Missing<int?>(path, field, required);
        }

        var at = Field(path, field);
        if (parent[field] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || WholeNumber(value) is not { } number)
        {
            Error(at, $"must be a whole number, not {Describe(parent[field])}");
            return null;
        }

        if (number < min)
        {
            Error(at, $"must be >= {min}");
            return null;
        }

        if (number > max)
        {
            Error(at, $"must be <= {max}");
            return null;
        }

        return (int)number;
    }

    /// <summary>
    /// The whole number <paramref name="value"/> holds; one past a long's range (99999999999999999999) is held at the
    /// range's end, so the check against min and max names the limit rather than calling it not whole.
    /// </summary>
    private static long? WholeNumber(JsonValue value)
    {
        var text = value.ToJsonString();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) || !double.IsFinite(real) || real != Math.Floor(real))
        {
            return null;
        }

        return Math.Abs(real) < 9e18 ? (long)real : real < 0 ? long.MinValue : long.MaxValue;
    }

    /// <summary>Reads Istio's <c>Percent</c> (<c>{value: 12.5}</c>) and checks 0..100.</summary>
    public double? Percent(JsonObject parent, string path, string field)
    {
        var obj = OptionalObject(parent, path, field, "value");
        if (obj is null)
        {
            return null;
        }

        var at = Field(Field(path, field), "value");
        if (obj["value"] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
        {
            Error(at, obj.ContainsKey("value") ? $"must be a number, not {Describe(obj["value"])}" : "is required");
            return null;
        }

        var percent = double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
        if (percent is < 0 or > 100 || double.IsNaN(percent))
        {
            Error(at, "must be between 0 and 100");
            return null;
        }

        return percent;
    }

    /// <summary>Reads a duration such as <c>1.5s</c> and checks it is at least <paramref name="min"/>.</summary>
    public Duration? Duration(JsonObject parent, string path, string field, TimeSpan min, bool required = false)
    {
        var text = String(parent, path, field, required);
        if (text is null)
        {
            return null;
        }

        var at = Field(path, field);
        if (!Validation.Duration.TryParse(text, out var duration))
        {
            Error(at, $"\"{text}\" is not a duration (use a number with a unit: 500ms, 1.5s, 2m, 1h)");
            return null;
        }

        if (duration.Value < min)
        {
            Error(at, $"must be at least {Format(min)}");
            return null;
        }

        return duration;
    }

    /// <summary>Reads a list, each item with <paramref name="read"/>; items that fail are left out (their errors are kept).</summary>
    public IReadOnlyList<T> List<T>(JsonObject parent, string path, string field, Func<JsonNode?, string, T?> read, bool required = false)
        where T : class
    {
        if (!Present(parent, field))
        {
            Missing<object>(path, field, required);
            return [];
        }

        var at = Field(path, field);
        if (parent[field] is not JsonArray array)
        {
            Error(at, $"must be a list, not {Describe(parent[field])}");
            return [];
        }

        if (required && array.Count == 0)
        {
            Error(at, "must not be empty");
        }

        var items = new List<T>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (read(array[i], Index(at, i)) is { } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    /// <summary>Reads a list of whole numbers, each in <paramref name="min"/>..<paramref name="max"/>; items that fail are left out (their errors are kept).</summary>
    public IReadOnlyList<int> IntList(JsonObject parent, string path, string field, int min, int max) =>
        List(parent, path, field, (node, at) => node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && WholeNumber(value) is { } number && number >= min && number <= max
            ? (object)(int)number
            : Invalid(at, $"must be a whole number from {min} to {max}, not {Describe(node)}")).Cast<int>().ToList();

    private object? Invalid(string path, string message)
    {
        Error(path, message);
        return null;
    }

    public IReadOnlyList<string> StringList(JsonObject parent, string path, string field, Func<string, string?> check, bool required = false) =>
        List(parent, path, field, (node, at) =>
        {
            if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                Error(at, $"must be a string, not {Describe(node)}");
                return null;
            }

            var text = value.GetValue<string>();
            if (check(text) is { } problem)
            {
                Error(at, problem);
                return null;
            }

            return text;
        }, required);

    /// <summary>Reads a map of string to string (labels), checking keys and values with <paramref name="checkKey"/>/<paramref name="checkValue"/>.</summary>
    public IReadOnlyDictionary<string, string>? StringMap(JsonObject parent, string path, string field, Func<string, string?> checkKey, Func<string, string?> checkValue)
    {
        if (!Present(parent, field))
        {
            return null;
        }

        var at = Field(path, field);
        if (parent[field] is not JsonObject obj)
        {
            Error(at, $"must be a map of names to strings, not {Describe(parent[field])}");
            return null;
        }

        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, node) in obj)
        {
            var keyAt = Field(at, key);
            if (checkKey(key) is { } keyProblem)
            {
                Error(keyAt, keyProblem);
            }
            else if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                Error(keyAt, $"must be a string (quote numbers and booleans), not {Describe(node)}");
            }
            else if (checkValue(value.GetValue<string>()) is { } valueProblem)
            {
                Error(keyAt, valueProblem);
            }
            else
            {
                map[key] = value.GetValue<string>();
            }
        }

        return map;
    }

    public static bool Present(JsonObject parent, string field) => parent.ContainsKey(field) && parent[field] is not null;

    public static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => $"the string \"{value.GetValue<string>()}\"",
            JsonValueKind.Number => $"the number {value.ToJsonString()}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {value.ToJsonString()}",
            _ => value.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };

    private T? Missing<T>(string path, string field, bool required)
    {
        if (required)
        {
            Error(Field(path, field), "is required");
        }

        return default;
    }

    private static string Format(TimeSpan span) => span.TotalSeconds >= 1 ? $"{span.TotalSeconds}s" : $"{span.TotalMilliseconds}ms";
}
