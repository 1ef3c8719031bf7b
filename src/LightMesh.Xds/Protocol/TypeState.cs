using LightMesh.Xds.Translation;

namespace LightMesh.Xds.Protocol;

/// <summary>What one ADS stream knows about one resource type: the subscription, and what was sent, ACKed and NACKed.</summary>
internal sealed class TypeState(string typeUrl)
{
    public string TypeUrl { get; } = typeUrl;

    /// <summary>True once the client has asked for this type at all.</summary>
    public bool Subscribed { get; set; }

    /// <summary>Wildcard: every resource of the type (Envoy's LDS and CDS); else only <see cref="Names"/>.</summary>
    public bool Wildcard { get; set; }

    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

    /// <summary>True when the subscription changed since the last response, so one is owed even if content did not.</summary>
    public bool SubscriptionChanged { get; set; }

    public string? LastNonce { get; set; }
    public IReadOnlyDictionary<string, XdsResource>? Sent { get; set; }
    public long SentRevision { get; set; }

    public IReadOnlyDictionary<string, XdsResource>? Acked { get; set; }
    public long AckedRevision { get; set; }

    /// <summary>The content the client rejected; it is not sent again until what we would send changes.</summary>
    public IReadOnlyDictionary<string, XdsResource>? Nacked { get; set; }

    public string? LastNackError { get; set; }
    public long LastNackRevision { get; set; }

    /// <summary>True while a response is out and neither ACKed nor NACKed.</summary>
    public bool AwaitingReply { get; set; }

    /// <summary>
    /// The resources the stream should hold, as last worked out, and the snapshot and node they were worked out from;
    /// dropped when the subscription changes. Never changed once made: it becomes <see cref="Sent"/> and <see cref="Acked"/>.
    /// </summary>
    public IReadOnlyDictionary<string, XdsResource>? Desired { get; set; }

    public XdsSnapshot? DesiredFrom { get; set; }

    public Envoy.Config.Core.V3.Node? DesiredForNode { get; set; }

    public static bool SameContent(IReadOnlyDictionary<string, XdsResource>? a, IReadOnlyDictionary<string, XdsResource>? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null || a.Count != b.Count)
        {
            return false;
        }

        foreach (var (name, resource) in a)
        {
            if (!b.TryGetValue(name, out var other) || !resource.SameContentAs(other))
            {
                return false;
            }
        }

        return true;
    }
}
