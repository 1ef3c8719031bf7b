using LightMesh.Core.Analysis;
using Microsoft.Extensions.DependencyInjection;

namespace LightMesh.Analysis.Tests;

[Collection(PrometheusCollectionDefinition.Name)]
public sealed class AnalysisServicesTests(PrometheusFixture prometheus)
{
    [Fact]
    public async Task AddLightMeshAnalysis_ResolvesAClientFromTheHttpClientFactoryThatQueriesPrometheus()
    {
        using var provider = new ServiceCollection().AddLightMeshAnalysis().BuildServiceProvider();

        var client = provider.GetRequiredService<PrometheusClient>();
        var answer = await client.QueryAsync(prometheus.Server.Address, "vector(1)", DateTimeOffset.UtcNow, default);

        Assert.Equal([1.0], answer.Values);
        Assert.NotNull(provider.GetRequiredService<AnalysisRunner>());
        Assert.Equal(MeasurementPhase.Successful, new MetricRun(new AnalysisMetric { Name = "m", Query = "q" }, null, null).Add(answer, DateTimeOffset.UtcNow).Phase);
    }
}
