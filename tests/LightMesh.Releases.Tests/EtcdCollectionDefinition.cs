using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

[CollectionDefinition(Name)]
public sealed class EtcdCollectionDefinition : ICollectionFixture<EtcdFixture>
{
    public const string Name = "etcd";
}
