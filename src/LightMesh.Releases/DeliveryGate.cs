using LightMesh.Core.Scheduling;
using LightMesh.Etcd.Documents;

namespace LightMesh.Releases;

/// <summary>Asks the stored DeliveryWindows whether a service's releases may start and advance now.</summary>
public sealed class DeliveryGate(DocumentStore documents, TimeProvider time)
{
    public async Task<WindowVerdict> CheckAsync(string service, CancellationToken cancellationToken)
    {
        var snapshot = await documents.ReadAsync(cancellationToken);
        return DeliveryWindows.Evaluate(snapshot.Documents.Select(d => d.Document).OfType<DeliveryWindow>(), service, time.GetUtcNow());
    }
}
