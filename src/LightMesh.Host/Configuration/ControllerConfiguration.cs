using LightMesh.Core;
using Microsoft.Extensions.Configuration;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Where the controller's configuration comes from, later sources overriding earlier ones: <c>appsettings.json</c> in the
/// working directory (or <see cref="ControllerOptions.ConfigFile"/>), the environment (<c>LightMesh__Auth__Tokens__0__Name</c>),
/// then <see cref="ControllerOptions.Settings"/> (flags, and code).
/// </summary>
public static class ControllerConfiguration
{
    public const string DefaultFile = "appsettings.json";

    /// <summary>Replaces the builder's sources with the controller's; a config file that is missing or not JSON is invalid input.</summary>
    public static void Load(ConfigurationManager configuration, ControllerOptions options)
    {
        var given = options.ConfigFile is not null;
        var file = Path.GetFullPath(options.ConfigFile ?? DefaultFile);
        var name = given ? "--config" : DefaultFile;
        if (given && !File.Exists(file))
        {
            throw new InvalidInputException($"--config: \"{options.ConfigFile}\" does not exist");
        }

        configuration.Sources.Clear();
        try
        {
            // Read once: a controller does not change its tokens under a running API.
            configuration.AddJsonFile(file, optional: !given, reloadOnChange: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputException($"{name}: {file} is not a JSON configuration file: {e.InnerException?.Message ?? e.Message}");
        }

        configuration.AddEnvironmentVariables();
        configuration.AddInMemoryCollection(options.Settings);
    }
}
