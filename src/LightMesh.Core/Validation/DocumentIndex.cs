using LightMesh.Core.Documents;
using LightMesh.Core.Networking;

namespace LightMesh.Core.Validation;

/// <summary>
/// A stored set of documents indexed by kind and name and by the hosts their routing names, built once for the set:
/// a service's rules are found (<see cref="RoutesOf"/>, <see cref="RuleOf"/>) and a write of VirtualServices and
/// DestinationRules is validated (<see cref="DocumentSetValidator.ValidateRoutingWrite(DocumentIndex, string, IReadOnlyList{SourcedDocument})"/>)
/// without going through every document, which a controller running many releases at once does at every step.
/// </summary>
public sealed class DocumentIndex
{
    private readonly Dictionary<(DocumentKind Kind, string Name), int> _positions = [];
    private readonly Dictionary<string, List<DestinationRule>> _rulesFor = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<VirtualService>> _sendingTo = new(StringComparer.Ordinal);

    /// <param name="documents">The stored documents, names unique per kind, in the order a whole validation is given them.</param>
    public DocumentIndex(IReadOnlyList<Document> documents)
    {
        Documents = documents;
        World = new DocumentSetValidator.World(documents);
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            _positions.TryAdd((document.Kind, document.Name), i);
            switch (document)
            {
                case DestinationRule rule:
                    DocumentSetValidator.World.AddByHost(_rulesFor, rule.Spec.Host, rule);
                    break;
                case VirtualService vs:
                    foreach (var host in vs.Spec.Destinations().Select(d => d.Host).Distinct(StringComparer.Ordinal))
                    {
                        DocumentSetValidator.World.AddByHost(_sendingTo, host, vs);
                    }

                    break;
            }
        }
    }

    public IReadOnlyList<Document> Documents { get; }

    /// <summary>The whole validation's indexes of the set (its services, the first DestinationRule and the VirtualServices of each host).</summary>
    internal DocumentSetValidator.World World { get; }

    /// <summary>Where the document of <paramref name="kind"/> named <paramref name="name"/> is in <see cref="Documents"/>; -1 when there is none.</summary>
    public int PositionOf(DocumentKind kind, string name) => _positions.GetValueOrDefault((kind, name), -1);

    /// <summary>The DestinationRule whose host is <paramref name="service"/>, if any (as <see cref="ServiceRules.RuleOf"/>).</summary>
    public DestinationRule? RuleOf(string service) => World.RuleFor(service);

    /// <summary>The VirtualService whose hosts include <paramref name="service"/>, if any (as <see cref="ServiceRules.RoutesOf"/>).</summary>
    public VirtualService? RoutesOf(string service) => World.RoutedBy(service) is [var first, ..] ? first : null;

    /// <summary>Every DestinationRule whose host is <paramref name="host"/>, in the documents' order.</summary>
    internal IReadOnlyList<DestinationRule> RulesFor(string host) => _rulesFor.TryGetValue(host, out var rules) ? rules : [];

    /// <summary>Every VirtualService with a route or mirror to <paramref name="host"/>, in the documents' order.</summary>
    internal IReadOnlyList<VirtualService> SendingTo(string host) => _sendingTo.TryGetValue(host, out var routes) ? routes : [];
}
