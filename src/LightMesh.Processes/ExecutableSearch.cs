using LightMesh.Core;

namespace LightMesh.Processes;

/// <summary>Finds a program the way a shell would, so the demo can tell what is missing before it starts anything.</summary>
public static class ExecutableSearch
{
    // Debian installs dockerd in /usr/sbin, which a user's PATH (or a minimal environment's) often lacks.
    private static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>The full path of <paramref name="name"/> on PATH (or in the system's bin directories), or null.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(IsExecutable);

    /// <summary>The full path of <paramref name="name"/>, or a failure naming the Debian package that provides it.</summary>
    public static string Require(string name) =>
        Find(name) ?? throw new LightMeshException(Prerequisites.Plan([name], isRoot: false).Problem);

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
