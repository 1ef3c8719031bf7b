using Docker.DotNet;
using Docker.DotNet.Models;
using LightMesh.Core;

namespace LightMesh.Demo;

/// <summary>Makes images from a root file system tar with the Docker Engine's import (<c>docker import</c>): the one way to make an image here, with no registry to pull a base from.</summary>
public static class ImageImporter
{
    /// <summary>An import writes the whole layer (about 120 MB for the demo) to the engine's storage; a slow disk needs more than the client's default.</summary>
    public static readonly TimeSpan ImportTimeout = TimeSpan.FromMinutes(3);

    public static readonly TimeSpan InspectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Imports <paramref name="tarPath"/> as <c>repository:tag</c> with the Dockerfile instructions in <paramref name="changes"/>.</summary>
    public static async Task ImportAsync(
        IDockerClient docker, string tarPath, string repository, string tag, IReadOnlyList<string> changes, TimeProvider time, CancellationToken cancellationToken)
    {
        var image = $"{repository}:{tag}";
        using var timeout = new CancellationTokenSource(ImportTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        await using var tar = File.OpenRead(tarPath);
        var messages = new EngineErrors();
        try
        {
            await docker.Images.CreateImageAsync(
                new ImagesCreateParameters { FromSrc = "-", Repo = repository, Tag = tag, Changes = [.. changes] }, tar, null, messages, linked.Token);
        }
        catch (DockerApiException e)
        {
            throw new LightMeshException($"the Docker Engine refused to import {image}: {e.ResponseBody.Trim()}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LightMeshException($"importing {image} took longer than {ImportTimeout.TotalMinutes:0} minutes and was abandoned", e);
        }

        // The engine reports a failure that comes after it has begun answering inside the answer, not as an HTTP error.
        if (messages.First is { } error)
        {
            throw new LightMeshException($"the Docker Engine could not import {image}: {error}");
        }
    }

    /// <summary>The size of <paramref name="image"/> as <c>docker images</c> shows it.</summary>
    public static async Task<long> SizeAsync(IDockerClient docker, string image, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(InspectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        return (await docker.Images.InspectImageAsync(image, linked.Token)).Size;
    }

    /// <summary>Keeps the first error of the engine's progress messages, as they arrive (<see cref="Progress{T}"/> would hand them over later, on the thread pool).</summary>
    private sealed class EngineErrors : IProgress<JSONMessage>
    {
        public string? First { get; private set; }

        public void Report(JSONMessage value) =>
            First ??= string.IsNullOrEmpty(value.ErrorMessage) ? value.Error?.Message : value.ErrorMessage;
    }
}
