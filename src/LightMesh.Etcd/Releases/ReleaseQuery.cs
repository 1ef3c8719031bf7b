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

    public bool Matches(ReleaseListing listing) =>
        (Service is null || listing.Service == Service) && (Phase is null || listing.Phase == Phase);
}

/// <summary>One page of releases, newest start first, and the token of the next page when there is one.</summary>
public sealed record ReleasePage(IReadOnlyList<ReleaseState> Releases, ContinueToken? Continue);
