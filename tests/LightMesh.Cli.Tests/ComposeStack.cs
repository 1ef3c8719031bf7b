using System.Diagnostics;
using LightMesh.Testing;
using YamlDotNet.RepresentationModel;

namespace LightMesh.Cli.Tests;

/// <summary>
/// The top-level docker-compose.yml as docker-compose itself resolves it (<c>docker-compose config</c>: relative paths
/// made absolute, variables substituted), for tests to read its services.
/// </summary>
internal sealed class ComposeStack
{
    private ComposeStack(YamlMappingNode services, string text)
    {
        Services = services;
        Text = text;
    }

    public YamlMappingNode Services { get; }

    /// <summary>What <c>docker-compose config</c> printed.</summary>
    public string Text { get; }

    public static async Task<ComposeStack> ResolveAsync()
    {
        var info = new ProcessStartInfo(Executables.Require("docker-compose", "docker-compose"), ["-f", "docker-compose.yml", "config"])
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };

        // The documented defaults, not whatever the caller's shell holds.
        info.Environment.Remove("LIGHTMESH_ADMIN_SHA256");
        info.Environment.Remove("DEMO_V2_ERROR_RATE");
        var result = await CliProcess.RunAsync(info);
        Assert.True(result.ExitCode == 0, $"docker-compose config refused docker-compose.yml:\n{result}");

        var yaml = new YamlStream();
        yaml.Load(new StringReader(result.Stdout));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return new ComposeStack((YamlMappingNode)root["services"], result.Stdout);
    }

    public IEnumerable<string> ServiceNames => Services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!);

    public YamlMappingNode Service(string name) => (YamlMappingNode)Services[name];

    /// <summary>A scalar of a service (<c>image</c>, <c>network_mode</c>), or null.</summary>
    public string? Scalar(string service, string key) =>
        Service(service).Children.TryGetValue(key, out var node) ? ((YamlScalarNode)node).Value : null;

    /// <summary>A service's environment variable, or null.</summary>
    public string? Environment(string service, string variable) =>
        Service(service).Children.TryGetValue("environment", out var node) && ((YamlMappingNode)node).Children.TryGetValue(variable, out var value)
            ? ((YamlScalarNode)value).Value
            : null;

    /// <summary>A service's command, one argument per item.</summary>
    public IReadOnlyList<string> Command(string service) =>
        Service(service).Children.TryGetValue("command", out var node) ? [.. ((YamlSequenceNode)node).Select(a => ((YamlScalarNode)a).Value!)] : [];

    /// <summary>Every host path a service mounts (bind volumes; named volumes are Docker's), and where.</summary>
    public IEnumerable<(string Source, string Target)> HostMounts(string service) =>
        Service(service).Children.TryGetValue("volumes", out var node)
            ? ((YamlSequenceNode)node).Select(Mount).Where(m => m.Source.StartsWith('/'))
            : [];

    private static (string Source, string Target) Mount(YamlNode volume)
    {
        if (volume is YamlScalarNode text)
        {
            var parts = text.Value!.Split(':');
            return (parts[0], parts[1]);
        }

        var mapping = (YamlMappingNode)volume;
        return (((YamlScalarNode)mapping["source"]).Value!, ((YamlScalarNode)mapping["target"]).Value!);
    }

    /// <summary>A service's build context and Dockerfile, when it builds its image.</summary>
    public (string Context, string Dockerfile)? Build(string service)
    {
        if (!Service(service).Children.TryGetValue("build", out var node))
        {
            return null;
        }

        var build = (YamlMappingNode)node;
        var context = ((YamlScalarNode)build["context"]).Value!;
        var dockerfile = build.Children.TryGetValue("dockerfile", out var file) ? ((YamlScalarNode)file).Value! : "Dockerfile";
        return (context, Path.Combine(context, dockerfile));
    }
}
