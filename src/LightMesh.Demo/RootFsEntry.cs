namespace LightMesh.Demo;

/// <summary>One path of an image's root file system: a directory, a host file's content, or a small text written as is.</summary>
/// <param name="Path">Absolute, inside the image.</param>
/// <param name="Source">The host file whose content (symlinks followed) is written; null for a directory or a text.</param>
/// <param name="Text">The content of a file made for the image (/etc/passwd); null otherwise.</param>
public sealed record RootFsEntry(string Path, UnixFileMode Mode, string? Source = null, string? Text = null)
{
    public bool IsDirectory => Source is null && Text is null;
}
