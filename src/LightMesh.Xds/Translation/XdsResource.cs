using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace LightMesh.Xds.Translation;

/// <summary>One named resource, already packed; two resources are the same when their bytes are.</summary>
public sealed class XdsResource
{
    public XdsResource(string name, IMessage message)
    {
        Name = name;
        Message = message;
        Packed = Any.Pack(message);
    }

    /// <summary>
    /// A route configuration put together from <paramref name="hosts"/>' bytes without serialising <paramref name="message"/>
    /// again: they must be its bytes.
    /// </summary>
    internal XdsResource(string name, IMessage message, ByteString bytes, IReadOnlyList<GoodHost> hosts)
    {
        Name = name;
        Message = message;
        Packed = new Any { TypeUrl = TypeUrls.Route, Value = bytes };
        Hosts = hosts;
    }

    public string Name { get; }
    public IMessage Message { get; }
    public Any Packed { get; }

    // Worked out from Hosts when a stream first asks; a race works it out twice, to the same set.
    private IReadOnlySet<string>? _trafficClusters;

    /// <summary>
    /// For a route configuration, the virtual hosts it holds, ordered by name: what the next translation compares to
    /// reuse it. Null for any other resource.
    /// </summary>
    public IReadOnlyList<GoodHost>? Hosts { get; }

    /// <summary>
    /// For a route configuration, every cluster its virtual hosts send traffic to: what must be ready before a stream
    /// sends it. Worked out once per route configuration, when a stream first needs it, and shared by every stream.
    /// Empty for any other resource.
    /// </summary>
    public IReadOnlySet<string> TrafficClusters =>
        LazyInitializer.EnsureInitialized(ref _trafficClusters, () => (Hosts ?? []).SelectMany(h => h.TrafficClusters).ToHashSet(StringComparer.Ordinal));

    public bool SameContentAs(XdsResource? other) => ReferenceEquals(this, other) || (other is not null && Packed.Value.Equals(other.Packed.Value));
}
