using LightMesh.Host.Hooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Extension methods live where services.AddXxx() users look for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Wires the CI webhooks (<see cref="HookEndpoints"/>) into a controller.</summary>
public static class HookServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="HookOptions"/> from <c>LightMesh:Hooks</c> (checked at start, every error naming its key) and adds
    /// the receiver and its delivery records. Needs the release services (<c>ReleaseService</c>, <c>DocumentStore</c>, etcd).
    /// </summary>
    public static IServiceCollection AddLightMeshHooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HookOptions>().Bind(configuration.GetSection(HookOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HookOptions>>(new HookOptionsValidator(configuration)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HookDeliveries>();
        services.AddHostedService<HookDeliveryPurger>();
        services.TryAddSingleton<HookReceiver>();
        return services;
    }
}
