using LightMesh.Processes;
namespace LightMesh.Demo;

/// <summary>Publishes the demo service from the checkout with <c>dotnet publish</c>, framework-dependent (the image brings the machine's runtime).</summary>
public static class DemoPublisher
{
    public const string Project = "src/LightMesh.Demo.Service/LightMesh.Demo.Service.csproj";
    public const string Assembly = "LightMesh.Demo.Service.dll";

    /// <summary>A cold Release build of the demo and its references takes a minute on a small machine; this leaves room for a slow one.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Publishes into <paramref name="outputDirectory"/> and returns the path of the entry assembly there. Holds the
    /// checkout's <see cref="ReleaseBuildLock"/> meanwhile: another demo, a <c>dev up</c> or <c>./lightmesh</c> building
    /// the CLI writes the same Release folders.
    /// </summary>
    public static async Task<string> PublishAsync(string dotnetHost, string repositoryRoot, string outputDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        using var build = await ReleaseBuildLock.AcquireAsync(repositoryRoot, Timeout, time, cancellationToken);
        // Self-contained would need runtime packs our NuGet feed does not reliably have; UseAppHost=false because the
        // image starts the dll with dotnet. --disable-build-servers: a build server left running would keep our
        // redirected output open, and waiting for the end of that output would then last as long as the server.
        await ToolRun.RunCheckedAsync(
            dotnetHost,
            ["publish", Path.Combine(repositoryRoot, Project), "-c", "Release", "-o", outputDirectory, "-p:UseAppHost=false", "--disable-build-servers", "--nologo"],
            repositoryRoot,
            Timeout,
            cancellationToken);
        return Path.Combine(outputDirectory, Assembly);
    }
}
