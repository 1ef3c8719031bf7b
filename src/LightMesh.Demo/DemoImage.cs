using System.Runtime.Versioning;
using Docker.DotNet;
using LightMesh.Core;

namespace LightMesh.Demo;

/// <summary>
/// Builds the demo service's images on this machine with no registry and no base image: publishes it, stages a root file
/// system around the machine's own .NET runtime, writes it as a tar once and imports it once per tag.
/// </summary>
public sealed class DemoImage(IDockerClient docker, TimeProvider time)
{
    /// <summary>Makes every image of <paramref name="request"/>; <paramref name="progress"/> hears one line per step.</summary>
    [SupportedOSPlatform("linux")]
    public async Task<DemoImageResult> BuildAsync(DemoImageRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            throw new InvalidInputException(string.Join('\n', errors));
        }

        if (!File.Exists(Path.Combine(request.RepositoryRoot, DemoPublisher.Project)))
        {
            throw new LightMeshException($"{request.RepositoryRoot} holds no {DemoPublisher.Project}: give the root of a LightMesh checkout ({nameof(RepositoryRoot)}.{nameof(RepositoryRoot.Find)})");
        }

        var started = time.GetTimestamp();
        var dotnetRoot = request.DotnetRoot is { } given ? DotnetRoot.Verify(given, "the request") : DotnetRoot.Find();
        var work = Directory.CreateTempSubdirectory("lightmesh-demo-image-");
        try
        {
            progress?.Report($"publishing {DemoPublisher.Project}");
            var app = await DemoPublisher.PublishAsync(
                Path.Combine(dotnetRoot, DotnetRoot.HostName), request.RepositoryRoot, Path.Combine(work.FullName, "app"), time, cancellationToken);

            progress?.Report($"staging the app with the .NET runtime in {dotnetRoot}");
            var layout = await DemoRootFs.StageAsync(Path.GetDirectoryName(app)!, DemoPublisher.Assembly, dotnetRoot, cancellationToken);
            var tarPath = Path.Combine(work.FullName, "rootfs.tar");
            await using (var tar = File.Create(tarPath))
            {
                await RootFsTar.WriteAsync(layout, tar, cancellationToken);
            }

            foreach (var tag in request.Tags)
            {
                progress?.Report($"importing {request.Repository}:{tag.Tag}");
                await ImageImporter.ImportAsync(docker, tarPath, request.Repository, tag.Tag, Changes(dotnetRoot, tag), time, cancellationToken);
            }

            var size = await ImageImporter.SizeAsync(docker, $"{request.Repository}:{request.Tags[0].Tag}", time, cancellationToken);
            return new DemoImageResult(request.Repository, [.. request.Tags.Select(t => t.Tag)], size, time.GetElapsedTime(started));
        }
        finally
        {
            Remove(work, progress);
        }
    }

    /// <summary>
    /// The image's instructions: the runtime's host runs the app from /app; globalization is invariant because the image
    /// has no ICU; then the tag's own variables, which may override those.
    /// </summary>
    public static IReadOnlyList<string> Changes(string dotnetRoot, DemoImageTag tag) => ImageChanges.Compose(
        [Path.Combine(dotnetRoot, DotnetRoot.HostName), $"{DemoRootFs.AppDirectory}/{DemoPublisher.Assembly}"],
        DemoRootFs.AppDirectory,
        [new("DOTNET_ROOT", dotnetRoot), new("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1"), .. tag.Environment]);

    /// <summary>Removes the work directory without hiding why the build stopped, if it did.</summary>
    private static void Remove(DirectoryInfo work, IProgress<string>? progress)
    {
        try
        {
            work.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            progress?.Report($"could not remove {work.FullName}: {e.Message}");
        }
    }
}
