using LightMesh.Core;

namespace LightMesh.Demo.Dev;

/// <summary>
/// One dev verb at a time changes a dev directory: an exclusive lock on its <c>.lock</c> file, which the system
/// releases when its holder exits, however it exits.
/// </summary>
public sealed class DevLock : IDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(5);
    private readonly FileStream _file;

    private DevLock(FileStream file) => _file = file;

    public static async Task<DevLock> TakeAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, ".lock");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new DevLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (waited.Elapsed < WaitLimit)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (IOException e)
            {
                throw new LightMeshException($"another lightmesh dev command has held {path} for over {WaitLimit.TotalMinutes:0} minutes; wait for it to end", e);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
