using LightMesh.Testing;

namespace LightMesh.DurableExecution.Tests;

[CollectionDefinition(Name)]
public sealed class EtcdCollectionDefinition : ICollectionFixture<EtcdFixture>
{
    public const string Name = "etcd";
}
