namespace LightMesh.Host.Security;

/// <summary>
/// A token file being written: first to a temporary file beside it, created readable and writable by this user only
/// (0600, in a directory made 0700), then moved into place by <see cref="Commit"/>; disposed uncommitted, it is removed.
/// </summary>
public sealed class TokenFile : IDisposable
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _staged;
    private bool _committed;

    private TokenFile(string path, string staged)
    {
        Path = path;
        _staged = staged;
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="token"/> to a temporary file beside <paramref name="path"/>, making its directory if needed.</summary>
    public static TokenFile Stage(string path, string token)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the initial admin token file needs Unix file modes; configure tokens under LightMesh:Auth:Tokens");
        }

        var directory = System.IO.Path.GetDirectoryName(path) ?? throw new ArgumentException($"{path}: has no directory", nameof(path));
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, DirectoryMode);
        }

        var staged = System.IO.Path.Join(directory, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode };
        using (var writer = new StreamWriter(staged, new System.Text.UTF8Encoding(false), options))
        {
            writer.Write(token);
            writer.Write('\n');
        }

        return new TokenFile(path, staged);
    }

    /// <summary>Stages <paramref name="token"/> and puts it in place at once; returns <paramref name="path"/>.</summary>
    public static string Write(string path, string token)
    {
        using var staged = Stage(path, token);
        staged.Commit();
        return path;
    }

    /// <summary>Puts the token in place, replacing a file there.</summary>
    public void Commit()
    {
        File.Move(_staged, Path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed)
        {
            File.Delete(_staged);
        }
    }
}
