using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class DockerCollectionDefinition : ICollectionFixture<EtcdFixture>, ICollectionFixture<DockerFixture>
{
    public const string Name = "etcd and docker";
}
