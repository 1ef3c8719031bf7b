namespace LightMesh.Releases.Leadership;

/// <summary>A loop that runs beside one leadership term of the release engine, from the term's start until it ends.</summary>
public interface ITermLoop
{
    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled: the term ended.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
