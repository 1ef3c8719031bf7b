using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Hosting;
using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Publishing;
using LightMesh.ControlPlane.Reports;
using LightMesh.Etcd;
using LightMesh.Etcd.Watching;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Extension methods live where services.AddXxx() users look for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Wires the mesh control plane into a host.</summary>
public static class ControlPlaneServiceCollectionExtensions
{
    /// <summary>
    /// Adds the etcd-driven xDS control plane: source, debounced publisher, proxy registry, the report of its proxies and
    /// the view of every controller's (<see cref="MeshProxies"/>), and the ADS gRPC service.
    /// </summary>
    public static IServiceCollection AddLightMeshControlPlane(this IServiceCollection services, EtcdOptions etcd, Action<XdsServerOptions> configure)
    {
        services.AddOptions<XdsServerOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<XdsServerOptions>, XdsServerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new EtcdConnection(etcd, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<PrefixWatcher>();
        services.TryAddSingleton<EtcdMeshSource>();
        services.TryAddSingleton<ProxyRegistry>();
        services.TryAddSingleton<ControllerReporter>();
        services.TryAddSingleton<MeshProxies>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<XdsServerOptions>>().Value;
            return new Debouncer(sp.GetRequiredService<TimeProvider>(), options.DebounceQuiet);
        });
        services.TryAddSingleton<MeshTranslation>(MeshTranslator.Translate);
        services.TryAddSingleton<SnapshotPublisher>();
        services.AddHostedService<ControlPlaneService>();
        services.AddGrpc();
        return services;
    }

    private sealed class XdsServerOptionsValidator : IValidateOptions<XdsServerOptions>
    {
        public ValidateOptionsResult Validate(string? name, XdsServerOptions options) =>
            options.Validate() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
