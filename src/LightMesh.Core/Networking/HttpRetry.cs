using LightMesh.Core.Validation;

namespace LightMesh.Core.Networking;

/// <summary>Retry policy of a route.</summary>
public sealed record HttpRetry
{
    public required int Attempts { get; init; }
    public Duration? PerTryTimeout { get; init; }

    /// <summary>Comma-separated Envoy retry conditions, e.g. <c>5xx,reset,connect-failure</c>.</summary>
    public string? RetryOn { get; init; }
}
