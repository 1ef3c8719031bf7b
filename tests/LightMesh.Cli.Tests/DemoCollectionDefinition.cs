namespace LightMesh.Cli.Tests;

/// <summary>
/// Tests that run <c>lightmesh demo</c>: every run uses the same Docker Compose project (<c>lightmesh-demo-host</c>) and
/// the same <c>lightmesh-demo</c> images, so they run one at a time. Their Release builds need no collection: the demo's
/// publish and <c>./lightmesh</c> take the checkout's <c>ReleaseBuildLock</c>, so the README's and the script's tests
/// run beside them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DemoCollectionDefinition
{
    public const string Name = "runs of the demo";
}
