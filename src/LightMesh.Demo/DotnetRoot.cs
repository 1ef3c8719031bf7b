using LightMesh.Core;

namespace LightMesh.Demo;

/// <summary>
/// Finds the .NET installation this process runs on, whose runtime the demo image carries: the image then runs the
/// demo on the very runtime the CLI was tested with, and nothing has to be downloaded.
/// </summary>
public static class DotnetRoot
{
    public const string HostName = "dotnet";

    /// <summary>The installation of the running process, read from its own path, <c>DOTNET_ROOT</c> and <c>PATH</c>.</summary>
    public static string Find() =>
        Find(Environment.ProcessPath, Environment.GetEnvironmentVariable("DOTNET_ROOT"), Environment.GetEnvironmentVariable("PATH"));

    /// <summary>
    /// The directory holding the <c>dotnet</c> host and <c>host/fxr</c>: the running host's when this process is
    /// <c>dotnet</c> (it is what runs us); else <c>DOTNET_ROOT</c>, which an app host (<c>./lightmesh</c>) honours
    /// before anything else; else <c>dotnet</c> on <c>PATH</c>, followed through symlinks (<c>/usr/bin/dotnet</c>
    /// usually points into the installation).
    /// </summary>
    public static string Find(string? processPath, string? dotnetRootVariable, string? pathVariable)
    {
        if (processPath is not null && Path.GetFileNameWithoutExtension(processPath) == HostName)
        {
            return Verify(Path.GetDirectoryName(HostFiles.RealPath(processPath))!, "the running dotnet");
        }

        if (dotnetRootVariable is { Length: > 0 })
        {
            return Verify(dotnetRootVariable, "DOTNET_ROOT");
        }

        var onPath = (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, HostName))
            .FirstOrDefault(File.Exists)
            ?? throw new LightMeshException("no .NET installation found: this process is not dotnet, DOTNET_ROOT is not set and there is no dotnet on PATH");
        return Verify(Path.GetDirectoryName(HostFiles.RealPath(onPath))!, $"{onPath} on PATH");
    }

    /// <summary><paramref name="root"/> as a full path if it is a .NET installation (it has the host and host/fxr); else an error naming where it came from.</summary>
    public static string Verify(string root, string source)
    {
        var full = Path.GetFullPath(root);
        return File.Exists(Path.Combine(full, HostName)) && Directory.Exists(Path.Combine(full, "host", "fxr"))
            ? full
            : throw new LightMeshException($"{full} (from {source}) is not a .NET installation: it needs {HostName} and host/fxr/");
    }
}
