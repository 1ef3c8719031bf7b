namespace LightMesh.Core.Networking;

/// <summary>A weighted destination of a route.</summary>
public sealed record HttpRouteDestination
{
    public required Destination Destination { get; init; }

    /// <summary>Relative weight; unset on a lone destination means all traffic.</summary>
    public int? Weight { get; init; }
}
