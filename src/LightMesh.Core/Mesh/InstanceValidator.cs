using LightMesh.Core.Validation;

namespace LightMesh.Core.Mesh;

/// <summary>Checks an instance before it is registered; returns every problem, each naming its field.</summary>
public static class InstanceValidator
{
    public static IReadOnlyList<string> Validate(Instance instance)
    {
        var errors = new List<string>();
        Check(errors, "service", Names.CheckDns1123Label(instance.Service));
        Check(errors, "id", instance.Id.Length is > 0 and <= 253 && !instance.Id.Contains('/', StringComparison.Ordinal)
            ? null : $"\"{instance.Id}\" must be 1..253 characters without '/'");
        Check(errors, "version", Names.CheckLabelValue(instance.Version) ?? (instance.Version.Length == 0 ? "must not be empty" : null));
        Check(errors, "address", Names.IsIpAddress(instance.Address) ? null : $"\"{instance.Address}\" must be an IP address");
        Check(errors, "port", instance.Port is >= 1 and <= 65535 ? null : $"{instance.Port} must be 1..65535");
        if (instance.Node is not null)
        {
            Check(errors, "node", Names.CheckDns1123Label(instance.Node));
        }

        foreach (var (key, value) in instance.Labels)
        {
            Check(errors, $"labels.{key}", Names.CheckLabelKey(key) ?? Names.CheckLabelValue(value));
        }

        if (instance.Labels.TryGetValue("version", out var labelVersion) && labelVersion != instance.Version)
        {
            errors.Add($"labels.version: \"{labelVersion}\" differs from the version \"{instance.Version}\"");
        }

        return errors;
    }

    /// <summary>The instance's labels with <c>version</c> set, as subsets select on it.</summary>
    public static IReadOnlyDictionary<string, string> LabelsWithVersion(Instance instance) =>
        new SortedDictionary<string, string>(instance.Labels.ToDictionary(), StringComparer.Ordinal) { ["version"] = instance.Version };

    private static void Check(List<string> errors, string field, string? problem)
    {
        if (problem is not null)
        {
            errors.Add($"{field}: {problem}");
        }
    }
}
