using LightMesh.Testing;

namespace LightMesh.Deployer.Tests;

/// <summary>Tests that need etcd and the Docker Engine; they run one at a time, as they share the engine.</summary>
[CollectionDefinition(Name)]
public sealed class DeployerCollectionDefinition : ICollectionFixture<EtcdFixture>, ICollectionFixture<DockerFixture>
{
    public const string Name = "etcd and docker";
}
