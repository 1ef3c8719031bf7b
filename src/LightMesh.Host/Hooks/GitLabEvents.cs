using System.Text.Json.Nodes;

namespace LightMesh.Host.Hooks;

/// <summary>
/// Reads a GitLab delivery: a successful pipeline on the default branch and a successful deployment start a release of
/// their project (<c>path_with_namespace</c>) at the commit's first 8 hex digits, GitLab's <c>CI_COMMIT_SHORT_SHA</c>;
/// anything else is ignored.
/// </summary>
public static class GitLabEvents
{
    public const string EventHeader = "X-Gitlab-Event";
    public const string TokenHeader = "X-Gitlab-Token";

    /// <summary>GitLab 17.4 and later: the same on every retry of one delivery.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>One event's id, the same for each hook it is sent to.</summary>
    public const string EventIdHeader = "X-Gitlab-Event-UUID";

    /// <summary>As <c>CI_COMMIT_SHORT_SHA</c>, which GitLab pipelines tag images with.</summary>
    public const int ShortShaLength = 8;

    public static HookEvent Read(string? eventName, ReadOnlyMemory<byte> body)
    {
        if (string.IsNullOrEmpty(eventName))
        {
            return HookEvent.Invalid($"{EventHeader}: required (the event's name)");
        }

        var (root, error) = HookJson.Parse(body);
        if (root is null)
        {
            return HookEvent.Invalid(error!);
        }

        var sender = HookJson.String(root, "user.username");
        return eventName switch
        {
            "Pipeline Hook" => Pipeline(root, sender),
            "Deployment Hook" => Deployment(root, sender),
            _ => HookEvent.Ignore($"{eventName} events start no release (Pipeline Hook and Deployment Hook do)"),
        };
    }

    private static HookEvent Pipeline(JsonObject root, string? sender)
    {
        var id = HookJson.At(root, "object_attributes.id")?.ToJsonString() ?? "(no id)";
        var status = HookJson.String(root, "object_attributes.status");
        if (status != "success")
        {
            return HookEvent.Ignore($"pipeline {id} is {status ?? "without a status"}: only a successful pipeline starts a release");
        }

        var reference = HookJson.String(root, "object_attributes.ref");
        var main = HookJson.String(root, "project.default_branch");
        if (HookJson.Bool(root, "object_attributes.tag") == true || reference is not null && main is not null && reference != main)
        {
            return HookEvent.Ignore($"pipeline {id} ran on {reference}, not on the default branch {main}");
        }

        return Commit(root, "object_attributes.sha", sender, HookJson.Time(root, "commit.timestamp", "object_attributes.created_at"));
    }

    private static HookEvent Deployment(JsonObject root, string? sender)
    {
        var status = HookJson.String(root, "status");
        return status == "success"
            ? Commit(root, "sha", sender, HookJson.Time(root, "status_changed_at"))
            : HookEvent.Ignore($"deployment {HookJson.At(root, "deployment_id")?.ToJsonString()} is {status ?? "without a status"}: only a successful deployment starts a release");
    }

    private static HookEvent Commit(JsonObject root, string shaPath, string? sender, DateTimeOffset? builtAt)
    {
        var project = HookJson.String(root, "project.path_with_namespace");
        var version = HookJson.ShortSha(HookJson.String(root, shaPath), ShortShaLength);
        string?[] errors =
        [
            project is null ? "body.project.path_with_namespace: required (the project, e.g. group/checkout)" : null,
            version is null ? $"body.{shaPath}: required, a commit sha" : null,
        ];
        return project is null || version is null
            ? HookEvent.Invalid([.. errors.OfType<string>()])
            : HookEvent.Triggered(project, null, version, sender, builtAt);
    }
}
