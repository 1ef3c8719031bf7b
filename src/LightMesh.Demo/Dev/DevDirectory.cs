using LightMesh.Processes;

namespace LightMesh.Demo.Dev;

/// <summary>Stopping what a dev environment started, and emptying its directory.</summary>
public static class DevDirectory
{
    /// <summary>Stops every recorded process, the last started first; says what it stopped.</summary>
    public static async Task StopAllAsync(DevState state, Action<string> report, CancellationToken cancellationToken)
    {
        foreach (var process in state.Processes.Reverse())
        {
            var wasRunning = await DetachedProcess.StopAsync(process, cancellationToken);
            report(wasRunning ? $"stopped {process.Name} (pid {process.Pid})" : $"{process.Name} (pid {process.Pid}) had stopped already");
        }
    }

    /// <summary>Removes everything in <paramref name="directory"/> but its lock.</summary>
    public static void Clear(string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.Name == ".lock")
            {
                continue;
            }

            if (entry is DirectoryInfo sub)
            {
                sub.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }
}
