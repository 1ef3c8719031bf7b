using LightMesh.Analysis;
using Microsoft.Extensions.DependencyInjection.Extensions;

#pragma warning disable IDE0130 // Extension methods live where services.AddXxx() users look for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Wires analysis into a host: the Prometheus client as a typed client of IHttpClientFactory, and the runner.</summary>
public static class AnalysisServiceCollectionExtensions
{
    public static IServiceCollection AddLightMeshAnalysis(this IServiceCollection services, PrometheusAuth? auth = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<PrometheusClient>().AddTypedClient(http => new PrometheusClient(http, auth));
        services.TryAddTransient<AnalysisRunner>();
        return services;
    }
}
