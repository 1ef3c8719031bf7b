using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace LightMesh.Host.Configuration;

/// <summary>Reading every server setting from its flag, the environment, the file or its default, and checking them all at once.</summary>
public static partial class ServerSettings
{
    /// <summary>
    /// The options the flags in <paramref name="flags"/> (by flag: <c>--listen</c>) and <paramref name="configuration"/>
    /// (<see cref="ControllerConfiguration.Read"/>) give, and every problem with them, each naming the flag, key or
    /// variable the wrong value came from, and the file or variable that holds it.
    /// </summary>
    public static (ServerOptions Options, IReadOnlyList<string> Errors) Resolve(IConfigurationRoot configuration, IReadOnlyDictionary<string, string> flags)
    {
        var options = new ServerOptions();
        var errors = new List<string>();
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in All)
        {
            var (text, source, where) = Find(configuration, flags, setting);
            if (text is null)
            {
                if (configuration.GetSection(setting.Key).GetChildren().Any())
                {
                    errors.Add($"{setting.Key}: must be one value, not a list or an object");
                }

                continue;
            }

            sources[setting.Key] = source;
            var (read, problem) = setting.Read(options, text);
            if (problem is null)
            {
                options = read!;
            }
            else
            {
                errors.Add(ServerSetting.Problem(source, text, problem, where));
            }
        }

        errors.AddRange(Unknown(configuration));
        if (errors.Count == 0 && options.Etcd.Check() is { } etcdProblem)
        {
            errors.Add($"etcd settings (LightMesh:Etcd, --etcd-...): {etcdProblem}");
        }

        if (errors.Count == 0 && options.Controller.ListenEndpoint.Equals(options.Controller.XdsEndpoint))
        {
            var listen = sources.GetValueOrDefault(ByFlag("--listen").Key, ByFlag("--listen").Key);
            var xds = sources.GetValueOrDefault(ByFlag("--xds-listen").Key, ByFlag("--xds-listen").Key);
            errors.Add($"{xds}: must differ from {listen} ({options.Controller.XdsListen})");
        }

        return (options, errors);
    }

    /// <summary>The setting's text and where it came from: the flag; else the last configuration source that has the key.</summary>
    private static (string? Text, string Source, string Where) Find(IConfigurationRoot configuration, IReadOnlyDictionary<string, string> flags, ServerSetting setting)
    {
        if (flags.TryGetValue(setting.Flag, out var given))
        {
            return (given, setting.Flag, "");
        }

        foreach (var provider in configuration.Providers.Reverse())
        {
            if (provider.TryGet(setting.Key, out var text) && text is not null)
            {
                return provider switch
                {
                    EnvironmentAliases aliases => (text, aliases.VariableOf(setting.Key), ""),
                    EnvironmentVariablesConfigurationProvider => (text, setting.Key, $" (environment variable {setting.Key.Replace(":", "__", StringComparison.Ordinal)})"),
                    FileConfigurationProvider file => (text, setting.Key, $" (in {file.Source.FileProvider?.GetFileInfo(file.Source.Path ?? "").PhysicalPath ?? file.Source.Path})"),
                    _ => (text, setting.Key, ""),
                };
            }
        }

        return (null, setting.Key, "");
    }

    /// <summary>A key under <see cref="Root"/> that nothing reads: most likely a misspelling, which would otherwise leave the default in force.</summary>
    private static IEnumerable<string> Unknown(IConfiguration configuration)
    {
        var root = configuration.GetSection(Root);
        var sections = All.Select(s => s.Section[(Root.Length + 1)..]).Distinct().Concat(OtherSections).ToList();
        foreach (var section in root.GetChildren())
        {
            if (!sections.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
            {
                yield return $"{section.Path}: not a section; {Root} has {string.Join(", ", sections)}";
                continue;
            }

            var known = All.Where(s => string.Equals(s.Section, section.Path, StringComparison.OrdinalIgnoreCase)).Select(s => s.Name).ToList();
            if (known.Count == 0)
            {
                continue;
            }

            foreach (var child in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            {
                yield return $"{child.Path}: not a setting; {section.Path} has {string.Join(", ", known)}";
            }
        }
    }
}
