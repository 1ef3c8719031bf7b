namespace LightMesh.Analysis.Tests;

[CollectionDefinition(Name)]
public sealed class PrometheusCollectionDefinition : ICollectionFixture<PrometheusFixture>
{
    public const string Name = "prometheus";
}
