using LightMesh.Core.Releases;

namespace LightMesh.Etcd.Releases;

/// <summary>Which releases a list asks for: at most <see cref="Limit"/>, after <see cref="Continue"/>, of a service, in a phase.</summary>
public sealed record ReleaseQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public int Limit { get; init; } = DefaultLimit;

    /// <summary>The token a previous page ended with; null for the first page.</summary>
    public ContinueToken? Continue { get; init; }

    public string? Service { get; init; }

    public ReleasePhase? Phase { get; init; }

    /// <summary>Who started the releases: a user or token holder, <c>schedule/NAME</c>, a CI delivery; one ending in '/' (<c>schedule/</c>) matches every name under it.</summary>
    public string? StartedBy { get; init; }

    /// <summary>
    /// Whether the index entry may be one of the releases asked for. An entry that does not say who started its release
    /// (written before the index held it) may be: <see cref="Matches(ReleaseState)"/> decides once it is read.
    /// </summary>
    public bool Matches(ReleaseListing listing) =>
        (Service is null || listing.Service == Service) && (Phase is null || listing.Phase == Phase)
        && (StartedBy is null || listing.StartedBy is null || IsStarter(listing.StartedBy));

    public bool Matches(ReleaseState release) =>
        (Service is null || release.Service == Service) && (Phase is null || release.Phase == Phase) && (StartedBy is null || IsStarter(release.StartedBy));

    private bool IsStarter(string startedBy) =>
        StartedBy!.EndsWith('/') ? startedBy.StartsWith(StartedBy, StringComparison.Ordinal) : startedBy == StartedBy;
}

/// <summary>One page of releases, newest start first, and the token of the next page when there is one.</summary>
public sealed record ReleasePage(IReadOnlyList<ReleaseState> Releases, ContinueToken? Continue);
