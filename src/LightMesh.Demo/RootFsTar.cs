using System.Formats.Tar;
using System.Text;

namespace LightMesh.Demo;

/// <summary>Writes a <see cref="RootFsLayout"/> as the tar the Docker Engine's import takes: a one-layer image.</summary>
public static class RootFsTar
{
    public static async Task WriteAsync(RootFsLayout layout, Stream destination, CancellationToken cancellationToken)
    {
        await using var tar = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var entry in layout.Entries)
        {
            var name = entry.Path.TrimStart('/');
            if (entry.IsDirectory)
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = entry.Mode }, cancellationToken);
                continue;
            }

            await using var content = entry.Source is { } source
                ? (Stream)File.OpenRead(source)
                : new MemoryStream(Encoding.UTF8.GetBytes(entry.Text!));
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = entry.Mode, DataStream = content }, cancellationToken);
        }
    }
}
