using LightMesh.Releases.Requests;

namespace LightMesh.Host.Hooks;

/// <summary>What a delivery asks for, read from its headers and body without I/O.</summary>
public sealed record HookEvent
{
    public required HookEventKind Kind { get; init; }

    /// <summary>Why a delivery is <see cref="HookEventKind.Invalid"/>, each naming the header or body field.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Why a delivery is <see cref="HookEventKind.Ignored"/>.</summary>
    public string? Reason { get; init; }

    /// <summary>The repository a ReleaseTrigger is matched on (a run, a pipeline, a deployment).</summary>
    public string? Repository { get; init; }

    /// <summary>The image repository a ReleaseTrigger is matched on (a published package).</summary>
    public string? Image { get; init; }

    /// <summary>The version to release: an image tag, or a commit's short sha.</summary>
    public string? Version { get; init; }

    /// <summary>
    /// When the version was built, as the delivery says (a package's creation, the commit's time); null when it does not.
    /// An announcement never gives way to a version built before it.
    /// </summary>
    public DateTimeOffset? BuiltAt { get; init; }

    /// <summary>Who caused the event (a GitHub or GitLab user), for the release's actor.</summary>
    public string? Sender { get; init; }

    /// <summary>A release asked for outright (the generic endpoint), needing no ReleaseTrigger; its actor is set later.</summary>
    public StartRequest? Request { get; init; }

    /// <summary>A group release asked for outright (the generic endpoint with <c>group</c>): its group workflow and a version per member.</summary>
    public GroupRequest? Group { get; init; }

    public static HookEvent Ping { get; } = new() { Kind = HookEventKind.Ping };

    public static HookEvent Invalid(params string[] errors) => new() { Kind = HookEventKind.Invalid, Errors = errors };

    public static HookEvent Ignore(string reason) => new() { Kind = HookEventKind.Ignored, Reason = reason };

    /// <summary>A release of whatever service the ReleaseTrigger of <paramref name="repository"/> or <paramref name="image"/> names.</summary>
    public static HookEvent Triggered(string? repository, string? image, string version, string? sender, DateTimeOffset? builtAt) =>
        new() { Kind = HookEventKind.Start, Repository = repository, Image = image, Version = version, Sender = sender, BuiltAt = builtAt };
}

/// <summary>A group release a delivery asks for: the ReleaseGroupWorkflow and each member's version, by service.</summary>
public sealed record GroupRequest(string Workflow, IReadOnlyDictionary<string, string> Versions);
