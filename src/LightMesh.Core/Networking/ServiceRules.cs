using LightMesh.Core.Documents;

namespace LightMesh.Core.Networking;

/// <summary>Which of a set of documents shape one service's traffic: the DestinationRule for its host, the VirtualService that routes it.</summary>
public static class ServiceRules
{
    /// <summary>The DestinationRule whose host is <paramref name="service"/>, if any.</summary>
    public static DestinationRule? RuleOf(IEnumerable<Document> documents, string service) =>
        documents.OfType<DestinationRule>().FirstOrDefault(r => r.Spec.Host == service);

    /// <summary>The VirtualService whose hosts include <paramref name="service"/>, if any.</summary>
    public static VirtualService? RoutesOf(IEnumerable<Document> documents, string service) =>
        documents.OfType<VirtualService>().FirstOrDefault(v => v.Spec.Hosts.Contains(service));
}
