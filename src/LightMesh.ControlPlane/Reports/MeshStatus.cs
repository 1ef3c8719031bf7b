using System.Text.Json.Serialization;

namespace LightMesh.ControlPlane.Reports;

/// <summary>Where a controller stands in the mesh's view of its proxies.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ControllerState>))]
public enum ControllerState
{
    /// <summary>The controller answering: its proxies are read live.</summary>
    This,

    /// <summary>Another controller whose report is current.</summary>
    Reporting,

    /// <summary>A controller whose report is gone (it died, froze, or lost etcd): its proxies are unknown.</summary>
    Gone,
}

/// <summary>One controller as <c>/api/v1/proxies</c> shows it.</summary>
public sealed record ControllerStatus(string Name, string Xds, ControllerState State, long WatchRevision, long SnapshotRevision, DateTimeOffset ReportedAt, int Proxies);

/// <summary>One proxy of the mesh, with the controller it is connected to.</summary>
/// <param name="Unknown">Its controller is gone and it has not shown up on another: this is what it last had.</param>
public sealed record MeshProxy(
    string Controller,
    string NodeId,
    string StreamId,
    string UserAgent,
    long ConvergedRevision,
    IReadOnlyList<string> Services,
    bool AllServices,
    string? Node,
    IReadOnlyList<ReportedNack> Nacks,
    bool Unknown);

/// <summary>
/// What <c>/api/v1/proxies</c> and <c>lightmesh proxies</c> show: this controller's snapshot and held-back routes, every
/// controller, and every proxy of the mesh.
/// </summary>
public sealed record MeshStatus(long Revision, IReadOnlyList<string> Problems, IReadOnlyList<ControllerStatus> Controllers, IReadOnlyList<MeshProxy> Proxies);
