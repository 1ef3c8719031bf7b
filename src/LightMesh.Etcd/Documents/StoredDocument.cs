using LightMesh.Core.Documents;

namespace LightMesh.Etcd.Documents;

/// <summary>A document as read from etcd, with its key and the revision it was last changed at.</summary>
public sealed record StoredDocument(Document Document, string Key, long ModRevision);

/// <summary>Every stored document at one etcd revision: what a guarded write is validated against.</summary>
public sealed record DocumentSnapshot(IReadOnlyList<StoredDocument> Documents, long Revision)
{
    public StoredDocument? Find(DocumentKind kind, string name) =>
        Documents.FirstOrDefault(d => d.Document.Kind == kind && d.Document.Name == name);
}
