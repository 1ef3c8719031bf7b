using LightMesh.Core.Documents;

namespace LightMesh.Core.Releases;

/// <summary>Which CI events start a release of which service (<c>kind: ReleaseTrigger</c>): a repository's, an image's, or both.</summary>
public sealed record ReleaseTrigger : Document
{
    public override DocumentKind Kind => DocumentKind.ReleaseTrigger;
    public required ReleaseTriggerSpec Spec { get; init; }
}

/// <summary>What a CI event matching a <see cref="ReleaseTrigger"/> does.</summary>
public enum TriggerMode
{
    /// <summary>Start a release of the new version at once (and announce it).</summary>
    Release,

    /// <summary>Only announce the new version: a Schedule releases the newest one announced.</summary>
    Announce,
}

/// <summary>The <c>spec</c> of a <see cref="ReleaseTrigger"/>.</summary>
public sealed record ReleaseTriggerSpec
{
    public const string DefaultWorkflow = "canary";

    /// <summary>The Service a matching event releases.</summary>
    public required string Service { get; init; }

    /// <summary>The ReleaseWorkflow it follows; <see cref="DefaultWorkflow"/> when unset.</summary>
    public string? Workflow { get; init; }

    /// <summary>A repository's full name as GitHub or GitLab give it: <c>acme/checkout</c>, <c>group/sub/project</c>.</summary>
    public string? Repository { get; init; }

    /// <summary>An image repository without a tag: <c>ghcr.io/acme/checkout</c>.</summary>
    public string? Image { get; init; }

    /// <summary>Arguments for the release, as <c>release start --arg</c> gives them.</summary>
    public IReadOnlyDictionary<string, string>? Args { get; init; }

    /// <summary>Whether an event starts a release at once, or only announces the version for a Schedule to release.</summary>
    public TriggerMode Mode { get; init; } = TriggerMode.Release;

    public string EffectiveWorkflow => Workflow ?? DefaultWorkflow;

    /// <summary>
    /// True when the event's repository or image is this trigger's. Both compare without regard to case: GitHub's
    /// repository names are case-insensitive, and its package URLs keep the owner's capitals that image names may not have.
    /// </summary>
    public bool Matches(string? repository, string? image) =>
        repository is not null && string.Equals(Repository, repository, StringComparison.OrdinalIgnoreCase)
        || image is not null && string.Equals(Image, image, StringComparison.OrdinalIgnoreCase);
}
