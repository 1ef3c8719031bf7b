namespace LightMesh.Cli.Tests;

/// <summary>
/// Tests that build the repository in Release (the <c>./lightmesh</c> script, the demo's publish of the demo service).
/// They share the Release intermediate folders of the projects both build, so they run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReleaseBuildCollectionDefinition
{
    public const string Name = "release builds of the repository";
}
