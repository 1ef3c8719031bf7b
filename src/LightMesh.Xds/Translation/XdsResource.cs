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

    /// <summary>A resource whose bytes were put together without serialising <paramref name="message"/> again: they must be its bytes.</summary>
    internal XdsResource(string name, IMessage message, string typeUrl, ByteString bytes)
    {
        Name = name;
        Message = message;
        Packed = new Any { TypeUrl = typeUrl, Value = bytes };
    }

    public string Name { get; }
    public IMessage Message { get; }
    public Any Packed { get; }

    public bool SameContentAs(XdsResource? other) => ReferenceEquals(this, other) || (other is not null && Packed.Value.Equals(other.Packed.Value));
}
