namespace LightMesh.Core.Networking;

/// <summary>A weighted destination of a route.</summary>
public sealed record HttpRouteDestination
{
    public required Destination Destination { get; init; }

    /// <summary>Relative weight; unset on a lone destination means all traffic.</summary>
    public int? Weight { get; init; }

    /// <summary>Headers changed in the requests sent to this destination and in its answers; none when unset.</summary>
    public Headers? Headers { get; init; }
}
