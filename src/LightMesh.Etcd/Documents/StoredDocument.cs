using LightMesh.Core.Documents;
using LightMesh.Core.Networking;

namespace LightMesh.Etcd.Documents;

/// <summary>A document as read from etcd, with its key and the revision it was last changed at.</summary>
public sealed record StoredDocument(Document Document, string Key, long ModRevision);

/// <summary>Every stored document at one etcd revision: what a guarded write is validated against.</summary>
public sealed record DocumentSnapshot(IReadOnlyList<StoredDocument> Documents, long Revision)
{
    public StoredDocument? Find(DocumentKind kind, string name) =>
        Documents.FirstOrDefault(d => d.Document.Kind == kind && d.Document.Name == name);

    /// <summary>Every document of type <typeparamref name="T"/>.</summary>
    public IEnumerable<T> All<T>()
        where T : Document => Documents.Select(d => d.Document).OfType<T>();

    /// <summary>The DestinationRule for <paramref name="service"/>, if any (<see cref="ServiceRules.RuleOf"/>).</summary>
    public DestinationRule? RuleOf(string service) => ServiceRules.RuleOf(All<DestinationRule>(), service);

    /// <summary>The VirtualService that routes <paramref name="service"/>, if any (<see cref="ServiceRules.RoutesOf"/>).</summary>
    public VirtualService? RoutesOf(string service) => ServiceRules.RoutesOf(All<VirtualService>(), service);
}
