using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Releases;

namespace LightMesh.Releases.Requests;

/// <summary>
/// The reads a start decides on, all begun at once: the release its id names (when it gives one), the service's active
/// release and active group, its Service, the workflow, the DestinationRule named after the service, and the delivery
/// windows. A start waits for one round trip to etcd instead of one per read. They are not one snapshot: the start's
/// write is guarded by what must still hold (no active release or group), as it was when they were read one by one.
/// </summary>
internal sealed record StartReading(
    Task<ReleaseState?> Earlier,
    Task<string?> ActiveGroup,
    Task<string?> Active,
    Task<Document?> Service,
    Task<Document?> Workflow,
    Task<Document?> NamedRule,
    Task<IReadOnlyList<Document>> Windows)
{
    public static StartReading Begin(StartRequest request, DocumentStore documents, ReleaseStore releases, ReleaseGroupStore groups, CancellationToken cancellationToken) => new(
        request.Id is { } id ? ReadEarlierAsync(releases, id, cancellationToken) : Task.FromResult<ReleaseState?>(null),
        request.Group is null ? groups.ActiveGroupOfAsync(request.Service, cancellationToken) : Task.FromResult<string?>(null),
        releases.ActiveAsync(request.Service, cancellationToken),
        documents.GetAsync(DocumentKind.Service, request.Service, cancellationToken),
        documents.GetAsync(DocumentKind.ReleaseWorkflow, request.Workflow, cancellationToken),
        documents.GetAsync(DocumentKind.DestinationRule, request.Service, cancellationToken),
        documents.ListAsync(DocumentKind.DeliveryWindow, cancellationToken));

    /// <summary>Every read done; the first failure, if one failed.</summary>
    public Task AllAsync() => Task.WhenAll(Earlier, ActiveGroup, Active, Service, Workflow, NamedRule, Windows);

    private static async Task<ReleaseState?> ReadEarlierAsync(ReleaseStore releases, string id, CancellationToken cancellationToken) =>
        (await releases.GetAsync(id, cancellationToken)).State;
}
