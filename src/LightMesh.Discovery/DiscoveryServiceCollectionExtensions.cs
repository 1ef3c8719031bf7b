using Grpc.Net.Client.Balancer;
using LightMesh.Discovery.Balancing;
using LightMesh.Discovery.Registration;
using LightMesh.Discovery.Resolution;
using LightMesh.Discovery.Xds;
using LightMesh.Etcd;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Extension methods live where services.AddXxx() users look for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Puts an app into the mesh: registering itself, and finding other services through etcd.</summary>
public static class DiscoveryServiceCollectionExtensions
{
    /// <summary>
    /// Registers this app's instance in etcd under a lease once the server has bound its port, keeps the lease alive,
    /// and revokes it when the host starts stopping. Settings default from the <c>LIGHTMESH_*</c> environment
    /// (<see cref="RegistrationEnvironment"/>); <paramref name="configure"/> runs after, so what it sets wins.
    /// </summary>
    public static IServiceCollection AddLightMeshRegistration(this IServiceCollection services, Action<RegistrationOptions>? configure = null)
    {
        services.AddOptions<RegistrationOptions>()
            .Configure(options => RegistrationEnvironment.Apply(options, Environment.GetEnvironmentVariable))
            .Configure(options => configure?.Invoke(options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistrationOptions>, RegistrationOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RegistrationState>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RegistrationService>());
        return services;
    }

    /// <summary>
    /// Lets <c>GrpcChannel.ForAddress("etcd:///SERVICE", ...)</c> channels whose <c>ServiceProvider</c> is this container
    /// find the live instances of SERVICE in etcd and follow them as they come and go. <paramref name="etcd"/> unset: the
    /// <c>LIGHTMESH_ETCD</c> and <c>LIGHTMESH_PREFIX</c> environment, else etcd's defaults.
    /// </summary>
    public static IServiceCollection AddLightMeshEtcdResolver(this IServiceCollection services, EtcdOptions? etcd = null)
    {
        etcd ??= EtcdResolverFactory.OptionsFromEnvironment(Environment.GetEnvironmentVariable);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ResolverFactory, EtcdResolverFactory>(sp =>
            new EtcdResolverFactory(etcd, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>())));
        return services;
    }

    /// <summary>
    /// Proxyless gRPC: lets <c>GrpcChannel.ForAddress("xds:///SERVICE:PORT", ...)</c> channels whose <c>ServiceProvider</c>
    /// is this container follow the control plane over ADS and route each call as its routes say (path and headers,
    /// weighted clusters, round robin inside a cluster). The bootstrap comes from <c>GRPC_XDS_BOOTSTRAP</c> (the file
    /// <c>lightmesh xds bootstrap</c> writes) unless <paramref name="configure"/> sets one.
    /// </summary>
    public static IServiceCollection AddLightMeshXds(this IServiceCollection services, Action<XdsClientOptions>? configure = null)
    {
        services.AddOptions<XdsClientOptions>()
            .Configure(options => configure?.Invoke(options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<XdsClientOptions>, XdsClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ResolverFactory, XdsResolverFactory>(sp =>
            new XdsResolverFactory(sp.GetRequiredService<IOptions<XdsClientOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<LoadBalancerFactory, XdsLoadBalancerFactory>());
        return services;
    }
}
