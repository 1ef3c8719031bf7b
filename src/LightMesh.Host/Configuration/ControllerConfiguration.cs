using LightMesh.Core;
using Microsoft.Extensions.Configuration;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Where the controller's configuration comes from, later sources overriding earlier ones: <c>appsettings.json</c> in the
/// working directory (or <see cref="ControllerOptions.ConfigFile"/>), older variables such as <c>LIGHTMESH_ETCD</c>
/// (<see cref="EnvironmentAliases"/>), the environment (<c>LightMesh__Auth__Tokens__0__Name</c>),
/// <see cref="ControllerOptions.Settings"/> (code), then <c>lightmesh server</c>'s flags (<see cref="FlagSettings"/>).
/// </summary>
public static class ControllerConfiguration
{
    public const string DefaultFile = "appsettings.json";

    /// <summary>The configuration <c>lightmesh server</c> reads its settings from; <paramref name="configFile"/> is <c>--config</c>.</summary>
    public static IConfigurationRoot Read(string? configFile)
    {
        var builder = new ConfigurationBuilder();
        return Guard(configFile, () =>
        {
            Add(builder, configFile);
            return builder.Build();
        });
    }

    /// <summary>Replaces the builder's sources with the controller's; a config file that is missing or not JSON is invalid input.</summary>
    public static void Load(ConfigurationManager configuration, ControllerOptions options)
    {
        configuration.Sources.Clear();

        // A ConfigurationManager reads each source as it is added.
        Guard(options.ConfigFile, () => Add(configuration, options.ConfigFile).AddInMemoryCollection(options.Settings).Add(new FlagSettings(options.Flags)));
    }

    /// <summary><paramref name="configuration"/>'s sources with <paramref name="flags"/> (by flag: <c>--listen</c>) above them all.</summary>
    public static IConfigurationRoot WithFlags(IConfigurationRoot configuration, IReadOnlyDictionary<string, string> flags) =>
        new ConfigurationRoot([.. configuration.Providers, new FlagSettings(flags)]);

    private static IConfigurationBuilder Add(IConfigurationBuilder builder, string? configFile)
    {
        var file = Path.GetFullPath(configFile ?? DefaultFile);
        if (configFile is not null && !File.Exists(file))
        {
            throw new InvalidInputException($"--config: \"{configFile}\" does not exist");
        }

        // Read once: a controller does not change its tokens or its settings under a running API.
        builder.AddJsonFile(file, optional: configFile is null, reloadOnChange: false);
        builder.Add(new EnvironmentAliases());
        return builder.AddEnvironmentVariables();
    }

    private static T Guard<T>(string? configFile, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            var name = configFile is null ? DefaultFile : "--config";
            throw new InvalidInputException($"{name}: {Path.GetFullPath(configFile ?? DefaultFile)} is not a JSON configuration file: {e.InnerException?.Message ?? e.Message}");
        }
    }
}
