using LightMesh.Core.Documents;
using LightMesh.Core.Networking;

namespace LightMesh.Core.Validation;

/// <summary>
/// A stored set of documents indexed by kind and name and by the hosts their routing names, built once for the set:
/// a service's rules are found (<see cref="RoutesOf"/>, <see cref="RuleOf"/>) and a write of VirtualServices and
/// DestinationRules is validated (<see cref="DocumentSetValidator.ValidateRoutingWrite(DocumentIndex, string, IReadOnlyList{SourcedDocument})"/>)
/// without going through every document, which a controller running many releases at once does at every step.
/// The set after a release's write is indexed from the set's before it (<see cref="Following"/>), not again from scratch.
/// </summary>
public sealed class DocumentIndex
{
    private readonly Dictionary<(DocumentKind Kind, string Name), int> _positions;
    private readonly Dictionary<string, List<VirtualService>> _sendingTo;
    private readonly Dictionary<DocumentKind, List<int>> _ofKind;
    private readonly bool _namesUnique; // no two documents of one kind share a name: what Following needs

    /// <param name="documents">The stored documents, names unique per kind, in the order a whole validation is given them.</param>
    public DocumentIndex(IReadOnlyList<Document> documents)
    {
        Documents = documents;
        World = new DocumentSetValidator.World(documents);
        _positions = new(documents.Count);
        _sendingTo = new(StringComparer.Ordinal);
        _ofKind = [];
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            _positions.TryAdd((document.Kind, document.Name), i);
            DocumentSetValidator.World.AddTo(_ofKind, document.Kind, i);
            if (document is VirtualService vs)
            {
                foreach (var host in DestinationHosts(vs))
                {
                    DocumentSetValidator.World.AddTo(_sendingTo, host, vs);
                }
            }
        }

        _namesUnique = _positions.Count == documents.Count;
    }

    private DocumentIndex(
        IReadOnlyList<Document> documents,
        DocumentSetValidator.World world,
        Dictionary<(DocumentKind, string), int> positions,
        Dictionary<string, List<VirtualService>> sendingTo,
        Dictionary<DocumentKind, List<int>> ofKind)
    {
        (Documents, World, _positions, _sendingTo, _ofKind, _namesUnique) = (documents, world, positions, sendingTo, ofKind, true);
    }

    public IReadOnlyList<Document> Documents { get; }

    /// <summary>The whole validation's indexes of the set (its services, the DestinationRules and the VirtualServices of each host).</summary>
    internal DocumentSetValidator.World World { get; }

    /// <summary>
    /// The index of <paramref name="documents"/>, the same as <c>new DocumentIndex(documents)</c>. When they are this
    /// index's documents, in the same order, with some replaced at their places by documents of the same kind and name and
    /// some added among them (as a controller's copy of etcd, kept in key order, changes), only what changed is indexed
    /// again: the indexes nothing changed are shared with this one, and a host's lists are made again only when a changed
    /// document names it. Otherwise (a document removed or moved, a name taken twice) built anew.
    /// </summary>
    public DocumentIndex Following(IReadOnlyList<Document> documents)
    {
        if (!_namesUnique || documents.Count < Documents.Count)
        {
            return new DocumentIndex(documents);
        }

        // Both lists walked together: each of this index's documents must come, in its order; any other is added.
        var changes = new List<ChangedDocument>();
        var addedBefore = false; // a document added before one of this index's moves every later position
        var kept = 0;
        foreach (var after in documents)
        {
            if (kept < Documents.Count && Documents[kept] is var before && before.Kind == after.Kind && string.Equals(before.Name, after.Name, StringComparison.Ordinal))
            {
                if (!ReferenceEquals(before, after))
                {
                    changes.Add(new ChangedDocument(before, after));
                }

                kept++;
            }
            else if (_positions.ContainsKey((after.Kind, after.Name)))
            {
                return new DocumentIndex(documents);
            }
            else
            {
                changes.Add(new ChangedDocument(null, after));
                addedBefore |= kept < Documents.Count;
            }
        }

        if (kept < Documents.Count)
        {
            return new DocumentIndex(documents);
        }

        var (positions, ofKind) = (_positions, _ofKind);
        if (addedBefore)
        {
            (positions, ofKind) = (new Dictionary<(DocumentKind, string), int>(documents.Count), []);
            for (var i = 0; i < documents.Count; i++)
            {
                if (!positions.TryAdd((documents[i].Kind, documents[i].Name), i))
                {
                    return new DocumentIndex(documents);
                }

                DocumentSetValidator.World.AddTo(ofKind, documents[i].Kind, i);
            }
        }
        else if (documents.Count > Documents.Count)
        {
            positions = new Dictionary<(DocumentKind, string), int>(_positions);
            ofKind = new Dictionary<DocumentKind, List<int>>(_ofKind);
            for (var i = Documents.Count; i < documents.Count; i++)
            {
                if (!positions.TryAdd((documents[i].Kind, documents[i].Name), i))
                {
                    return new DocumentIndex(documents);
                }
            }

            foreach (var added in Enumerable.Range(Documents.Count, documents.Count - Documents.Count).GroupBy(i => documents[i].Kind))
            {
                ofKind[added.Key] = [.. _ofKind.GetValueOrDefault(added.Key) ?? [], .. added];
            }
        }

        int PositionOf(Document document) => positions[(document.Kind, document.Name)];
        return new DocumentIndex(
            documents,
            new DocumentSetValidator.World(World, changes, PositionOf),
            positions,
            DocumentSetValidator.World.Relisted<VirtualService>(_sendingTo, changes, DestinationHosts, PositionOf),
            ofKind);
    }

    /// <summary>Where the document of <paramref name="kind"/> named <paramref name="name"/> is in <see cref="Documents"/>; -1 when there is none.</summary>
    public int PositionOf(DocumentKind kind, string name) => _positions.GetValueOrDefault((kind, name), -1);

    /// <summary>Where the documents of <paramref name="kind"/> are in <see cref="Documents"/>, in order.</summary>
    public IReadOnlyList<int> PositionsOf(DocumentKind kind) => _ofKind.TryGetValue(kind, out var positions) ? positions : [];

    /// <summary>The DestinationRule whose host is <paramref name="service"/>, if any (as <see cref="ServiceRules.RuleOf"/>).</summary>
    public DestinationRule? RuleOf(string service) => World.RuleFor(service);

    /// <summary>The VirtualService whose hosts include <paramref name="service"/>, if any (as <see cref="ServiceRules.RoutesOf"/>).</summary>
    public VirtualService? RoutesOf(string service) => World.RoutedBy(service) is [var first, ..] ? first : null;

    /// <summary>Every DestinationRule whose host is <paramref name="host"/>, in the documents' order.</summary>
    public IReadOnlyList<DestinationRule> RulesFor(string host) => World.RulesFor(host);

    /// <summary>Every VirtualService with a route or mirror to <paramref name="host"/>, in the documents' order.</summary>
    internal IReadOnlyList<VirtualService> SendingTo(string host) => _sendingTo.TryGetValue(host, out var routes) ? routes : [];

    /// <summary>The hosts <paramref name="vs"/> routes or mirrors to, each once (a loop, not LINQ: it runs for every VirtualService of a new set).</summary>
    private static List<string> DestinationHosts(VirtualService vs)
    {
        var hosts = new List<string>(1);
        foreach (var route in vs.Spec.Http)
        {
            foreach (var to in route.Route)
            {
                AddOnce(hosts, to.Destination.Host);
            }

            if (route.Mirror is { } mirror)
            {
                AddOnce(hosts, mirror.Host);
            }
        }

        return hosts;

        static void AddOnce(List<string> hosts, string host)
        {
            if (!hosts.Contains(host, StringComparer.Ordinal))
            {
                hosts.Add(host);
            }
        }
    }
}
