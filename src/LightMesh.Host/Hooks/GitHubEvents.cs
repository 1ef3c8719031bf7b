using System.Text.Json.Nodes;

namespace LightMesh.Host.Hooks;

/// <summary>
/// Reads a GitHub delivery: a published container package (its image and tag), a successful workflow run on the default
/// branch (its repository and the head commit's first 7 hex digits) and a created deployment (its repository and its
/// commit's first 7) start a release; <c>ping</c> is answered; anything else is ignored.
/// </summary>
public static class GitHubEvents
{
    public const string EventHeader = "X-GitHub-Event";
    public const string DeliveryHeader = "X-GitHub-Delivery";
    public const string SignatureHeader = "X-Hub-Signature-256";

    /// <summary>As <c>git rev-parse --short</c> and most GitHub workflows tag images: <c>${GITHUB_SHA::7}</c>.</summary>
    public const int ShortShaLength = 7;

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

        var sender = HookJson.String(root, "sender.login");
        return eventName switch
        {
            "ping" => HookEvent.Ping,
            "registry_package" or "package" => Package(eventName, root, sender),
            "workflow_run" => WorkflowRun(root, sender),
            "deployment" => Deployment(root, sender),
            _ => HookEvent.Ignore($"{eventName} events start no release (registry_package, package, workflow_run and deployment do)"),
        };
    }

    private static HookEvent Package(string eventName, JsonObject root, string? sender)
    {
        var action = HookJson.String(root, "action");
        if (action != "published")
        {
            return HookEvent.Ignore($"{eventName} {action ?? "without an action"}: only a published package starts a release");
        }

        var version = $"{eventName}.package_version";
        if (HookJson.At(root, $"{version}.container_metadata") is not JsonObject)
        {
            return HookEvent.Ignore($"package {HookJson.String(root, $"{eventName}.name")} is not a container image");
        }

        var tag = HookJson.String(root, $"{version}.container_metadata.tag.name");
        if (string.IsNullOrEmpty(tag))
        {
            return HookEvent.Ignore($"package {HookJson.String(root, $"{eventName}.name")}: the version has no tag");
        }

        return HookJson.String(root, $"{version}.package_url") is { Length: > 0 } url
            ? HookEvent.Triggered(null, ImageRepository(url), tag, sender, HookJson.Time(root, $"{version}.created_at", $"{version}.updated_at"))
            : HookEvent.Invalid($"body.{version}.package_url: required (the image, e.g. ghcr.io/acme/checkout:{tag})");
    }

    private static HookEvent WorkflowRun(JsonObject root, string? sender)
    {
        var action = HookJson.String(root, "action");
        if (action != "completed")
        {
            return HookEvent.Ignore($"workflow_run {action ?? "without an action"}: only a completed run starts a release");
        }

        var name = HookJson.String(root, "workflow_run.name") ?? "(unnamed)";
        var conclusion = HookJson.String(root, "workflow_run.conclusion");
        if (conclusion != "success")
        {
            return HookEvent.Ignore($"workflow_run \"{name}\" concluded {conclusion ?? "nothing"}: only a successful run starts a release");
        }

        // A pull request's or a feature branch's green build is not a release.
        var branch = HookJson.String(root, "workflow_run.head_branch");
        var main = HookJson.String(root, "repository.default_branch");
        if (branch is not null && main is not null && branch != main)
        {
            return HookEvent.Ignore($"workflow_run \"{name}\" ran on {branch}, not on the default branch {main}");
        }

        return Commit(root, "workflow_run.head_sha", sender, HookJson.Time(root, "workflow_run.head_commit.timestamp", "workflow_run.created_at"));
    }

    private static HookEvent Deployment(JsonObject root, string? sender)
    {
        var action = HookJson.String(root, "action");
        return action is null or "created"
            ? Commit(root, "deployment.sha", sender, HookJson.Time(root, "deployment.created_at"))
            : HookEvent.Ignore($"deployment {action}: only a created deployment starts a release");
    }

    private static HookEvent Commit(JsonObject root, string shaPath, string? sender, DateTimeOffset? builtAt)
    {
        var repository = HookJson.String(root, "repository.full_name");
        var version = HookJson.ShortSha(HookJson.String(root, shaPath), ShortShaLength);
        string?[] errors =
        [
            repository is null ? "body.repository.full_name: required (the repository, e.g. acme/checkout)" : null,
            version is null ? $"body.{shaPath}: required, a commit sha" : null,
        ];
        return repository is null || version is null
            ? HookEvent.Invalid([.. errors.OfType<string>()])
            : HookEvent.Triggered(repository, null, version, sender, builtAt);
    }

    /// <summary><c>ghcr.io/acme/checkout:1.2.0</c> (or <c>@sha256:…</c>) without its tag or digest.</summary>
    public static string ImageRepository(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? reference[..at] : reference;
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }
}
