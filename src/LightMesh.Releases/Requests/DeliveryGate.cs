using LightMesh.Core.Documents;
using LightMesh.Core.Scheduling;
using LightMesh.Etcd.Documents;

namespace LightMesh.Releases.Requests;

/// <summary>Asks the stored DeliveryWindows whether a service's releases may start and advance now.</summary>
public sealed class DeliveryGate(DocumentStore documents, TimeProvider time)
{
    public async Task<WindowVerdict> CheckAsync(string service, CancellationToken cancellationToken)
    {
        // Only the windows' folder: this runs before every step of every release.
        var windows = await documents.ListAsync(DocumentKind.DeliveryWindow, cancellationToken);
        return DeliveryWindows.Evaluate(windows.OfType<DeliveryWindow>(), service, time.GetUtcNow());
    }
}
