namespace LightMesh.Core.Validation;

/// <summary>One thing wrong with a document: where it came from, which document, which field, and why.</summary>
/// <param name="Source">A file name, <c>etcd</c>, or <c>-</c> for standard input.</param>
/// <param name="Document"><c>Kind/name</c>, or <c>document N</c> when the document has no usable name yet.</param>
/// <param name="Path">The field path, e.g. <c>spec.http[0].route[1].weight</c>; empty for the document as a whole.</param>
/// <param name="Message">What is wrong, said so that the fix is obvious.</param>
public sealed record ValidationError(string Source, string Document, string Path, string Message)
{
    public override string ToString()
    {
        var where = string.IsNullOrEmpty(Path) ? "" : $"{Path}: ";
        return string.IsNullOrEmpty(Document) ? $"{Source}: {where}{Message}" : $"{Source}: {Document}: {where}{Message}";
    }
}
