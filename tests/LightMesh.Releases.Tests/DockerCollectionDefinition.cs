using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>Releases that deploy containers: etcd and the real Docker Engine, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollectionDefinition : ICollectionFixture<EtcdFixture>, ICollectionFixture<DockerFixture>
{
    public const string Name = "etcd and docker";
}
