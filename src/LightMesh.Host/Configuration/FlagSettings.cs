using Microsoft.Extensions.Configuration;

namespace LightMesh.Host.Configuration;

/// <summary>
/// The flags of <c>lightmesh server</c> as configuration: <c>--listen</c> sets <c>LightMesh:Server:Listen</c>. The last
/// source, above the environment and the file; a wrong value it holds is named by its flag (<see cref="SettingText"/>).
/// </summary>
public sealed class FlagSettings(IReadOnlyDictionary<string, string> flags) : ConfigurationProvider, IConfigurationSource
{
    public override void Load()
    {
        // Flags that are not settings (--config, --output) configure the command, not the controller.
        foreach (var setting in ServerSettings.All)
        {
            if (flags.TryGetValue(setting.Flag, out var value))
            {
                Data[setting.Key] = value;
            }
        }
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;
}
