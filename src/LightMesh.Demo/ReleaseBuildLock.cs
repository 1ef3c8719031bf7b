namespace LightMesh.Demo;

/// <summary>
/// One Release build of a checkout at a time, across processes. <c>./lightmesh</c> builds the CLI in Release and the demo
/// publishes the demo service in Release; both write the same <c>obj/Release</c> folders, and two at once leave one of
/// them reading a file the other is halfway through writing. Both take this lock: the script with <c>flock</c>, this
/// class with an exclusive open, which .NET takes as the same <c>flock</c> on Linux.
/// </summary>
public sealed class ReleaseBuildLock : IDisposable
{
    /// <summary>Where the lock lives, relative to the root of the checkout (<c>./lightmesh</c> names the same file).</summary>
    public const string RelativePath = ".build/release-build.lock";

    /// <summary>How often a waiting process tries again.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(200);

    private readonly FileStream held;

    private ReleaseBuildLock(FileStream held) => this.held = held;

    /// <summary>
    /// Takes the lock of the checkout at <paramref name="repositoryRoot"/>, waiting while another process holds it, for at
    /// most <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="TimeoutException">Another process held it all that time.</exception>
    public static async Task<ReleaseBuildLock> AcquireAsync(string repositoryRoot, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var path = Path.Combine(repositoryRoot, RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return new ReleaseBuildLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Held by another process: .NET reports a lock it cannot take as an IOException on a file that exists.
            }

            if (time.GetElapsedTime(started) >= timeout)
            {
                throw new TimeoutException($"another build of {repositoryRoot} held {path} for {timeout.TotalSeconds:0} s; is one stuck?");
            }

            await Task.Delay(RetryInterval, time, cancellationToken);
        }
    }

    /// <summary>Lets the next build go.</summary>
    public void Dispose() => held.Dispose();
}
