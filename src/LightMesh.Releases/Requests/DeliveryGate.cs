using LightMesh.ControlPlane.Mesh;
using LightMesh.Core.Documents;
using LightMesh.Core.Scheduling;
using LightMesh.Etcd.Documents;

namespace LightMesh.Releases.Requests;

/// <summary>
/// Asks the stored DeliveryWindows whether a service's releases may start and advance now. It runs before every step of
/// every release, so it reads the windows from the control plane's watched copy of the documents, once that copy holds
/// every write up to the revision the release was read at; from etcd only when it does not within <see cref="CopyWait"/>.
/// </summary>
public sealed class DeliveryGate(EtcdMeshSource watched, DocumentStore documents, TimeProvider time)
{
    private static readonly TimeSpan CopyWait = TimeSpan.FromSeconds(1);

    /// <param name="asOf">The revision the release was read at: every window written before it is taken into account.</param>
    public async Task<WindowVerdict> CheckAsync(string service, long asOf, CancellationToken cancellationToken)
    {
        var windows = (await watched.DocumentsAsOfAsync(asOf, CopyWait, cancellationToken))?.OfKind(DocumentKind.DeliveryWindow).Select(d => d.Document).OfType<DeliveryWindow>()
            ?? (await documents.ListAsync(DocumentKind.DeliveryWindow, cancellationToken)).OfType<DeliveryWindow>();
        return DeliveryWindows.Evaluate(windows, service, time.GetUtcNow());
    }
}
