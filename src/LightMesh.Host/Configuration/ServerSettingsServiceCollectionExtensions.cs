using LightMesh.Etcd;
using LightMesh.Host;
using LightMesh.Host.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using LightMesh.Releases;

#pragma warning disable IDE0130 // Extension methods live where services.AddXxx() users look for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Wires the settings of <c>lightmesh server</c> (<see cref="ServerSettings"/>) into a host as options checked at start.</summary>
public static class ServerSettingsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the records of <paramref name="settings"/>, which <see cref="ServerSettings.Bind"/> read from
    /// <paramref name="configuration"/>, as options, each with a validator run at start that names every wrong value's
    /// source: <see cref="ControllerOptions"/> (<c>LightMesh:Server</c>, and the sections under <c>LightMesh</c>),
    /// <see cref="ReleaseEngineOptions"/> (<c>LightMesh:Engine</c>, the server's name and Prometheus; and
    /// <see cref="ReleaseEngineOptionsValidator"/>), <see cref="EtcdOptions"/> (<c>LightMesh:Etcd</c>).
    /// </summary>
    public static IServiceCollection AddLightMeshServerSettings(this IServiceCollection services, IConfigurationRoot configuration, ServerOptions settings)
    {
        services.AddRecordOptions(settings.Controller, new ServerSettingsValidator<ControllerOptions>(
            configuration, [ServerSettings.Root, $"{ServerSettings.Root}:Server"], options => DistinctPorts(configuration, options)));
        services.AddRecordOptions(settings.Controller.Engine, new ServerSettingsValidator<ReleaseEngineOptions>(configuration, [$"{ServerSettings.Root}:Engine"]));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReleaseEngineOptions>, ReleaseEngineOptionsValidator>());
        services.AddRecordOptions(settings.Etcd, new ServerSettingsValidator<EtcdOptions>(
            configuration, [$"{ServerSettings.Root}:Etcd"], options => options.Check() is { } problem ? $"etcd settings (LightMesh:Etcd, --etcd-...): {problem}" : null));

        // The engine takes its options as they are, not through IOptions.
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ReleaseEngineOptions>>().Value);
        return services;
    }

    private static void AddRecordOptions<T>(this IServiceCollection services, T value, IValidateOptions<T> validator)
        where T : class
    {
        services.AddOptions<T>().ValidateOnStart();
        services.TryAddTransient<IOptionsFactory<T>>(sp => new RecordOptionsFactory<T>(
            value, sp.GetServices<IConfigureOptions<T>>(), sp.GetServices<IPostConfigureOptions<T>>(), sp.GetServices<IValidateOptions<T>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton(validator));
    }

    /// <summary>The API and xDS on one address cannot both listen: named by where each came from.</summary>
    private static string? DistinctPorts(IConfigurationRoot configuration, ControllerOptions options)
    {
        if (options.ListenEndpoint.Equals(options.XdsEndpoint) is false)
        {
            return null;
        }

        var listen = SettingText.SourceOf(configuration, ServerSettings.ByFlag("--listen"));
        var xds = SettingText.SourceOf(configuration, ServerSettings.ByFlag("--xds-listen"));
        return $"{xds}: must differ from {listen} ({options.XdsListen})";
    }
}
