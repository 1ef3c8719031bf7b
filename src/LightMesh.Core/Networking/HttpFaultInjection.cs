using LightMesh.Core.Validation;

namespace LightMesh.Core.Networking;

/// <summary>Faults injected into a share of requests: a delay, an abort, or both.</summary>
public sealed record HttpFaultInjection
{
    public FaultDelay? Delay { get; init; }
    public FaultAbort? Abort { get; init; }
}

/// <summary>Delay <see cref="Percentage"/> percent of requests by <see cref="FixedDelay"/>.</summary>
public sealed record FaultDelay
{
    public required Duration FixedDelay { get; init; }
    public double? Percentage { get; init; }
}

/// <summary>Answer <see cref="Percentage"/> percent of requests with <see cref="HttpStatus"/>.</summary>
public sealed record FaultAbort
{
    public required int HttpStatus { get; init; }
    public double? Percentage { get; init; }
}
