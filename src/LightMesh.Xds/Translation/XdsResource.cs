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

    /// <summary>
    /// For a route configuration, the virtual hosts it holds, ordered by name: what the clusters it sends traffic to are
    /// read from, and what tells two of them apart host by host. Null for any other resource.
    /// </summary>
    public IReadOnlyList<GoodHost>? Hosts { get; }

    public bool SameContentAs(XdsResource? other) => ReferenceEquals(this, other) || (other is not null && Packed.Value.Equals(other.Packed.Value));
}
