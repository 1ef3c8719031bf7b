namespace LightMesh.Xds.Protocol;

/// <summary>Where one resource type stands for one proxy.</summary>
public sealed record TypeStatus(string Type, bool Wildcard, int Subscribed, string AckedVersion, bool AwaitingReply, string? LastNackError, string? LastNackVersion);

/// <summary>Where one connected proxy stands: who it is, what it ACKed, what it rejected, and what it has converged to.</summary>
public sealed record ProxyStatus(
    string StreamId,
    string NodeId,
    string UserAgent,
    long ConvergedRevision,
    IReadOnlyList<string> Services,
    IReadOnlyList<TypeStatus> Types)
{
    /// <summary>The Node whose proxy token the stream showed; null for a stream let in without one (anonymous proxies allowed).</summary>
    public string? Node { get; init; }

    /// <summary>True when the proxy takes every service there is (<see cref="Services"/> lists those of the moment).</summary>
    public bool AllServices { get; init; }
}
