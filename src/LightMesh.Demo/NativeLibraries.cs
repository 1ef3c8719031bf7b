using LightMesh.Processes;
namespace LightMesh.Demo;

/// <summary>The machine's shared libraries that binaries need, found with <c>ldd</c>, so an image without a distribution can run them.</summary>
public static class NativeLibraries
{
    /// <summary>
    /// Loaded with dlopen by System.Security.Cryptography.Native.OpenSsl, so ldd does not show them; without them any
    /// TLS or hashing in the app fails at its first use, not at start.
    /// </summary>
    public static readonly IReadOnlyList<string> Dlopened = ["libssl.so.3", "libcrypto.so.3"];

    private static readonly TimeSpan LddTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Every library <paramref name="binaries"/> load (ldd lists what they load indirectly too), and the
    /// <see cref="Dlopened"/> ones where the loader found the others, with what those load in turn.
    /// </summary>
    public static async Task<IReadOnlyList<LinkedLibrary>> OfAsync(IEnumerable<string> binaries, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, LinkedLibrary>(StringComparer.Ordinal);
        foreach (var binary in binaries)
        {
            await AddAsync(found, binary, cancellationToken);
        }

        var directories = found.Values.Where(l => !l.IsInterpreter).Select(l => Path.GetDirectoryName(l.Path)!).Distinct().ToList();
        foreach (var name in Dlopened)
        {
            if (directories.Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists) is { } path)
            {
                found.TryAdd(path, new LinkedLibrary(path, IsInterpreter: false));
                await AddAsync(found, path, cancellationToken);
            }
        }

        return [.. found.Values.OrderBy(l => l.Path, StringComparer.Ordinal)];
    }

    private static async Task AddAsync(Dictionary<string, LinkedLibrary> found, string binary, CancellationToken cancellationToken)
    {
        var ldd = await ToolRun.RunCheckedAsync("ldd", [binary], null, LddTimeout, cancellationToken);
        foreach (var library in LddOutput.Parse(binary, string.Join('\n', ldd.Lines)))
        {
            found.TryAdd(library.Path, library);
        }
    }
}
