namespace LightMesh.Demo;

/// <summary>Symlinks on the machine the image is made on, which the image gets as regular files.</summary>
public static class HostFiles
{
    /// <summary>The file a path finally names once every symlink is followed.</summary>
    public static string RealPath(string path) => File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);

    /// <summary>What the symlink at <paramref name="path"/> points to, one step (e.g. /lib64/ld-linux-x86-64.so.2 → /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2); null for a regular file.</summary>
    public static string? LinkTarget(string path) => File.ResolveLinkTarget(path, returnFinalTarget: false)?.FullName;
}
