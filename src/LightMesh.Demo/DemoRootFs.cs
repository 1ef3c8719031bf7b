using System.Runtime.Versioning;
using LightMesh.Core;

namespace LightMesh.Demo;

/// <summary>
/// The demo's root file system with no base image: the published app, the machine's own .NET runtime (only the
/// frameworks the app runs on) and the libraries those binaries load. Nothing is downloaded, so it works offline and
/// with no registry.
/// </summary>
public static class DemoRootFs
{
    public const string AppDirectory = "/app";

    /// <summary>
    /// CoreCLR's LTTng tracing provider: loaded only if present and wanted, and it needs liblttng-ust, which few machines
    /// have; left out so that a missing library of an optional part does not stop the image.
    /// </summary>
    public const string TraceProvider = "libcoreclrtraceptprovider.so";

    private const UnixFileMode ReadableFile = (UnixFileMode)0b110_100_100;

    /// <summary>rwxrwxrwt: anyone may create files in /tmp (the runtime puts its diagnostics sockets there), only their owner remove them.</summary>
    private const UnixFileMode TmpMode = (UnixFileMode)0b1_111_111_111;

    /// <summary>Stages the app published in <paramref name="publishDirectory"/> (its entry assembly <paramref name="appAssembly"/>) with the runtime in <paramref name="dotnetRoot"/>.</summary>
    [SupportedOSPlatform("linux")]
    public static async Task<RootFsLayout> StageAsync(string publishDirectory, string appAssembly, string dotnetRoot, CancellationToken cancellationToken)
    {
        var layout = new RootFsLayout();
        layout.AddTree(AppDirectory, publishDirectory);

        // The runtime sits where it is on this machine, so DOTNET_ROOT and the entry point name the same path in both.
        var host = Path.Combine(dotnetRoot, DotnetRoot.HostName);
        layout.AddFile(host, host);
        var runtimeDirectories = new List<string> { HostFxrDirectory(dotnetRoot) };
        var runtimeConfig = Path.Combine(publishDirectory, Path.ChangeExtension(appAssembly, ".runtimeconfig.json"));
        foreach (var framework in FrameworkVersions.FromRuntimeConfig(await File.ReadAllTextAsync(runtimeConfig, cancellationToken)))
        {
            runtimeDirectories.Add(FrameworkDirectory(dotnetRoot, framework));
        }

        foreach (var directory in runtimeDirectories)
        {
            layout.AddTree(directory, directory, file => Path.GetFileName(file) != TraceProvider);
        }

        var binaries = runtimeDirectories
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.so"))
            .Where(file => Path.GetFileName(file) != TraceProvider)
            .Prepend(host);
        foreach (var library in await NativeLibraries.OfAsync(binaries, cancellationToken))
        {
            layout.AddFile(library.Path, library.Path);

            // Binaries name the interpreter by the path ldd shows (/lib64/...), which is a symlink on most distributions;
            // the image also gets it where that link leads, where the distribution's own files expect it.
            if (library.IsInterpreter && HostFiles.LinkTarget(library.Path) is { } target)
            {
                layout.AddFile(target, library.Path);
            }
        }

        layout.AddDirectory("/tmp", TmpMode);
        layout.AddDirectory("/root", (UnixFileMode)0b111_000_000);
        layout.AddText("/etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\n", ReadableFile);
        layout.AddText("/etc/group", "root:x:0:\n", ReadableFile);
        return layout;
    }

    /// <summary>host/fxr/VERSION: the newest, the one the dotnet host loads.</summary>
    private static string HostFxrDirectory(string dotnetRoot)
    {
        var fxr = Path.Combine(dotnetRoot, "host", "fxr");
        var version = FrameworkVersions.Highest(Directory.EnumerateDirectories(fxr).Select(Path.GetFileName)!)
            ?? throw new LightMeshException($"{fxr} holds no version of hostfxr");
        return Path.Combine(fxr, version);
    }

    /// <summary>shared/NAME/VERSION for the version the host would roll the app forward to.</summary>
    private static string FrameworkDirectory(string dotnetRoot, FrameworkReference framework)
    {
        var directory = Path.Combine(dotnetRoot, "shared", framework.Name);
        var installed = Directory.Exists(directory) ? Directory.EnumerateDirectories(directory).Select(Path.GetFileName).ToList() : [];
        var version = FrameworkVersions.Choose(framework.Version, installed!)
            ?? throw new LightMeshException(
                $"the demo runs on {framework.Name} {framework.Version} (or a later patch) and {dotnetRoot} has {(installed.Count == 0 ? "none" : string.Join(", ", installed))}; install that runtime");
        return Path.Combine(directory, version);
    }
}
