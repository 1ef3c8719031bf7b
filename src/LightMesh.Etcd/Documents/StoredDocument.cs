using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;

namespace LightMesh.Etcd.Documents;

/// <summary>A document as read from etcd, with its key and the revision it was last changed at.</summary>
public sealed record StoredDocument(Document Document, string Key, long ModRevision)
{
    /// <summary>
    /// Reads the value stored at <paramref name="key"/>: a document valid on its own, of the kind and name the key says. A
    /// value written by hand under another document's key would otherwise stand beside the document of its name; it is
    /// refused instead, as any value that does not read. Null and the errors when refused.
    /// </summary>
    public static (StoredDocument? Stored, IReadOnlyList<string> Errors) Read(KeyLayout keys, string key, string value, long modRevision)
    {
        var parsed = DocumentParser.ParseJson(value, key);
        if (!parsed.IsValid)
        {
            return (null, [.. parsed.Errors.Select(e => e.ToString())]);
        }

        var document = parsed.Documents[0].Document;
        if (!keys.TryReadDocumentKey(key, out var kind, out var name) || kind != document.Kind || name != document.Name)
        {
            return (null, [$"it is {document.Reference}, whose key is {keys.Document(document.Kind, document.Name)}, not {key}"]);
        }

        return (new StoredDocument(document, key, modRevision), []);
    }
}

/// <summary>Every stored document at one etcd revision: what a guarded write is validated against.</summary>
public sealed record DocumentSnapshot(IReadOnlyList<StoredDocument> Documents, long Revision)
{
    // Built at the first lookup, and kept by a copy at a later revision (`with { Revision }`): the documents are the same.
    private DocumentIndex? _index;

    // An earlier snapshot's index, which this one's follows (see Following); null: built anew.
    private DocumentIndex? _earlier;

    /// <summary>The documents indexed by kind and name and by the hosts they route, built once for this snapshot.</summary>
    public DocumentIndex Index => LazyInitializer.EnsureInitialized(ref _index, BuildIndex);

    /// <summary>
    /// The snapshot of <paramref name="documents"/> at <paramref name="revision"/>. When they are this snapshot's with
    /// some replaced at their places and some added after them, as a controller's copy of etcd keeps them, its index is
    /// this one's (or the one this one follows) with only what changed indexed again (<see cref="DocumentIndex.Following"/>).
    /// </summary>
    public DocumentSnapshot Following(IReadOnlyList<StoredDocument> documents, long revision) =>
        new(documents, revision) { _earlier = _index ?? _earlier };

    public StoredDocument? Find(DocumentKind kind, string name) => Index.PositionOf(kind, name) is var at and >= 0 ? Documents[at] : null;

    /// <summary>Every document of <paramref name="kind"/>, found through the index (not by going through every document).</summary>
    public IEnumerable<StoredDocument> OfKind(DocumentKind kind) => Index.PositionsOf(kind).Select(at => Documents[at]);

    /// <summary>Every document of type <typeparamref name="T"/>.</summary>
    public IEnumerable<T> All<T>()
        where T : Document => Documents.Select(d => d.Document).OfType<T>();

    /// <summary>The DestinationRule for <paramref name="service"/>, if any (<see cref="ServiceRules.RuleOf"/>).</summary>
    public DestinationRule? RuleOf(string service) => Index.RuleOf(service);

    /// <summary>The VirtualService that routes <paramref name="service"/>, if any (<see cref="ServiceRules.RoutesOf"/>).</summary>
    public VirtualService? RoutesOf(string service) => Index.RoutesOf(service);

    private DocumentIndex BuildIndex()
    {
        List<Document> documents = [.. Documents.Select(d => d.Document)];
        return _earlier?.Following(documents) ?? new DocumentIndex(documents);
    }
}
