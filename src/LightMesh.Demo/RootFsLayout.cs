using System.Runtime.Versioning;

namespace LightMesh.Demo;

/// <summary>
/// The root file system of an image, staged as a map from image paths to host files rather than copied: the runtime is
/// a hundred megabytes that only has to be read once, when the tar is written.
/// </summary>
public sealed class RootFsLayout
{
    /// <summary>rwxr-xr-x, what a parent directory gets when nothing else is said.</summary>
    public const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;

    private readonly SortedDictionary<string, RootFsEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>Every path, parents before their children (ordinal order puts "/a" before "/a/b").</summary>
    public IEnumerable<RootFsEntry> Entries => _entries.Values;

    public void AddDirectory(string imagePath, UnixFileMode mode) => Add(new RootFsEntry(imagePath, mode));

    public void AddText(string imagePath, string text, UnixFileMode mode) => Add(new RootFsEntry(imagePath, mode, Text: text));

    /// <summary>The content of <paramref name="hostPath"/> (a symlink is followed: the image gets a regular file) at <paramref name="imagePath"/>, with its mode.</summary>
    [SupportedOSPlatform("linux")]
    public void AddFile(string imagePath, string hostPath)
    {
        var real = HostFiles.RealPath(hostPath);
        Add(new RootFsEntry(imagePath, File.GetUnixFileMode(real), Source: real));
    }

    /// <summary>Every file under <paramref name="hostDirectory"/> that <paramref name="include"/> takes (all by default), at the same relative path under <paramref name="imagePath"/>.</summary>
    [SupportedOSPlatform("linux")]
    public void AddTree(string imagePath, string hostDirectory, Func<string, bool>? include = null)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var file in Directory.EnumerateFiles(hostDirectory, "*", options).Where(include ?? (_ => true)))
        {
            AddFile(Path.Combine(imagePath, Path.GetRelativePath(hostDirectory, file)), file);
        }
    }

    private void Add(RootFsEntry entry)
    {
        if (!entry.Path.StartsWith('/'))
        {
            throw new ArgumentException($"image paths are absolute: {entry.Path}", nameof(entry));
        }

        for (var parent = Path.GetDirectoryName(entry.Path); parent is not null and not "/"; parent = Path.GetDirectoryName(parent))
        {
            _entries.TryAdd(parent, new RootFsEntry(parent, DirectoryMode));
        }

        _entries[entry.Path] = entry;
    }
}
