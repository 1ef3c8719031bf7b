using Microsoft.Extensions.Configuration;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Older environment variables that set a configuration key (<c>LIGHTMESH_ETCD</c> for <c>LightMesh:Etcd:Endpoints</c>),
/// from <see cref="ServerSetting.Alias"/>: a source above the file and below the key's own variable.
/// </summary>
public sealed class EnvironmentAliases : ConfigurationProvider, IConfigurationSource
{
    private readonly Dictionary<string, string> _variables = new(StringComparer.OrdinalIgnoreCase);

    public EnvironmentAliases()
    {
        foreach (var setting in ServerSettings.All.Where(s => s.Alias is not null))
        {
            _variables[setting.Key] = setting.Alias!;
        }
    }

    /// <summary>The variable that set <paramref name="key"/>.</summary>
    public string VariableOf(string key) => _variables.GetValueOrDefault(key, key);

    public override void Load()
    {
        foreach (var (key, variable) in _variables)
        {
            // Empty counts as unset, as the CLI's other verbs read it.
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value))
            {
                Data[key] = value;
            }
        }
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;
}
