namespace LightMesh.Releases.Runs;

/// <summary>Tells the engine that a waiting release has something new to act on (an operator, a timer, the background analysis).</summary>
public interface IReleaseWaker
{
    Task WakeAsync(string releaseId, CancellationToken cancellationToken);
}
