using System.Text.Json;
using System.Text.Json.Nodes;
using LightMesh.Core.Releases;
using LightMesh.Releases.Requests;

namespace LightMesh.Host.Hooks;

/// <summary>
/// Reads a generic delivery, <c>{service, version, image?, workflow?, args?, builtAt?}</c>: a release asked for outright, no
/// ReleaseTrigger needed; or <c>{group, releases: [{service, version}, ...]}</c>: a group release of ReleaseGroupWorkflow
/// <c>group</c> with a version per member. Strict like documents: an unknown or mistyped field is an error, never dropped.
/// </summary>
public static class GenericEvents
{
    public const string SignatureHeader = "X-LightMesh-Signature";
    public const string IdempotencyHeader = "Idempotency-Key";

    private static readonly string[] Fields = ["service", "version", "image", "workflow", "args", "builtAt"];
    private static readonly string[] GroupFields = ["group", "releases"];

    public static HookEvent Read(ReadOnlyMemory<byte> body)
    {
        var (root, error) = HookJson.Parse(body);
        if (root is null)
        {
            return HookEvent.Invalid(error!);
        }

        if (root.ContainsKey("group"))
        {
            return ReadGroup(root);
        }

        var errors = root.Select(p => p.Key).Where(k => !Fields.Contains(k, StringComparer.Ordinal))
            .Select(k => $"body.{k}: unknown field (supported: {string.Join(", ", Fields)})").ToList();
        var service = Text(root, "service", required: true, errors);
        var version = Text(root, "version", required: true, errors);
        var image = Text(root, "image", required: false, errors);
        var workflow = Text(root, "workflow", required: false, errors);
        var builtAt = Text(root, "builtAt", required: false, errors) is null ? null : HookJson.Time(root, "builtAt");
        if (root["builtAt"] is not null && builtAt is null && !errors.Any(e => e.StartsWith("body.builtAt", StringComparison.Ordinal)))
        {
            errors.Add("body.builtAt: must be a time with an offset (RFC 3339, e.g. 2026-12-05T10:00:00Z)");
        }

        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root["args"] is JsonObject given)
        {
            foreach (var (key, value) in given)
            {
                if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                {
                    args[key] = v.GetValue<string>();
                }
                else
                {
                    errors.Add($"body.args.{key}: must be a string (quote numbers and booleans)");
                }
            }
        }
        else if (root["args"] is not null)
        {
            errors.Add("body.args: must be an object of names to strings");
        }

        return errors.Count > 0 || service is null || version is null
            ? HookEvent.Invalid([.. errors])
            : new HookEvent
            {
                Kind = HookEventKind.Start,
                Version = version,
                BuiltAt = builtAt,
                Request = new StartRequest { Service = service, Version = version, Image = image, Workflow = workflow ?? ReleaseTriggerSpec.DefaultWorkflow, Args = args },
            };
    }

    /// <summary><c>{group, releases: [{service, version}, ...]}</c>: every member's version, each service once.</summary>
    private static HookEvent ReadGroup(JsonObject root)
    {
        var errors = root.Select(p => p.Key).Where(k => !GroupFields.Contains(k, StringComparer.Ordinal))
            .Select(k => $"body.{k}: not with group (a group release takes {string.Join(", ", GroupFields)}; each member's version is in body.releases)").ToList();
        var workflow = Text(root, "group", required: true, errors);
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root["releases"] is not JsonArray { Count: > 0 } releases)
        {
            errors.Add("body.releases: required with group: a list of {service, version}, one per member");
            return HookEvent.Invalid([.. errors]);
        }

        for (var i = 0; i < releases.Count; i++)
        {
            var at = $"releases[{i}]";
            if (releases[i] is not JsonObject pair)
            {
                errors.Add($"body.{at}: must be an object {{service, version}}");
                continue;
            }

            errors.AddRange(pair.Select(p => p.Key).Where(k => k is not ("service" or "version")).Select(k => $"body.{at}.{k}: unknown field (supported: service, version)"));
            var service = Text(pair, "service", required: true, errors, at);
            var version = Text(pair, "version", required: true, errors, at);
            if (service is not null && version is not null && !versions.TryAdd(service, version))
            {
                errors.Add($"body.{at}.service: {service} is given twice");
            }
        }

        return errors.Count > 0 || workflow is null
            ? HookEvent.Invalid([.. errors])
            : new HookEvent { Kind = HookEventKind.Start, Group = new GroupRequest(workflow, versions) };
    }

    private static string? Text(JsonObject root, string field, bool required, List<string> errors, string? within = null)
    {
        var path = within is null ? $"body.{field}" : $"body.{within}.{field}";
        switch (root[field])
        {
            case null when required:
                errors.Add($"{path}: required");
                return null;
            case null:
                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Trim().Length > 0:
                return value.GetValue<string>();
            default:
                errors.Add($"{path}: must be a non-empty string");
                return null;
        }
    }
}
