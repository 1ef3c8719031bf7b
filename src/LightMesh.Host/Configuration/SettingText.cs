using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace LightMesh.Host.Configuration;

/// <summary>
/// A server setting's text as configured, and how an error names where it came from: the flag, an older variable
/// (<c>LIGHTMESH_ETCD</c>), or the key with the variable or file that holds it.
/// </summary>
internal sealed record SettingText(string Text, string Source, string Where)
{
    /// <summary>The setting's text in the last source that has its key, as the configuration itself reads it; null when none has.</summary>
    public static SettingText? Find(IConfigurationRoot configuration, ServerSetting setting)
    {
        foreach (var provider in configuration.Providers.Reverse())
        {
            if (provider.TryGet(setting.Key, out var text) && text is not null)
            {
                return provider switch
                {
                    FlagSettings => new(text, setting.Flag, ""),
                    EnvironmentAliases aliases => new(text, aliases.VariableOf(setting.Key), ""),
                    EnvironmentVariablesConfigurationProvider => new(text, setting.Key, $" (environment variable {setting.Key.Replace(":", "__", StringComparison.Ordinal)})"),
                    FileConfigurationProvider file => new(text, setting.Key, $" (in {file.Source.FileProvider?.GetFileInfo(file.Source.Path ?? "").PhysicalPath ?? file.Source.Path})"),
                    _ => new(text, setting.Key, ""),
                };
            }
        }

        return null;
    }

    /// <summary>What is wrong with the text (<c>must be IP:PORT</c>), as a message naming where it came from.</summary>
    public string Problem(string error) => $"{Source}: \"{Text}\" {error}{Where}";

    /// <summary>The flag, variable or key that set <paramref name="setting"/>; its key when nothing did.</summary>
    public static string SourceOf(IConfigurationRoot configuration, ServerSetting setting) => Find(configuration, setting)?.Source ?? setting.Key;
}
