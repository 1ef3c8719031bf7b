using System.Threading.Channels;
using LightMesh.Etcd.Watching;

namespace LightMesh.ControlPlane.Mesh;

/// <summary>The changes of one key, as <see cref="EtcdMeshSource.Follow"/> passes them on, until disposed.</summary>
public sealed class KeySubscription(ChannelReader<KeyChange> changes, Action stop) : IDisposable
{
    public ChannelReader<KeyChange> Changes => changes;

    public void Dispose() => stop();
}
