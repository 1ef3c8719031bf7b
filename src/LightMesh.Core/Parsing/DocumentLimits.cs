namespace LightMesh.Core.Parsing;

/// <summary>
/// The most one file of documents (or one request body) may ask of the parser. Past any of them the file is refused,
/// with an error naming the file and, where there is one, the document and path, before it can exhaust the process.
/// </summary>
public static class DocumentLimits
{
    /// <summary>Bytes of one file or body, as UTF-8: 4 MiB, also the largest body <c>POST /api/v1/documents</c> takes.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>Levels of maps and lists inside one another, counted once aliases are expanded (System.Text.Json's default too).</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Nodes of one file (maps, lists, keys and scalars) once every alias is expanded: some 2,500 documents the size of
    /// the examples (under 40 nodes each), about 1.3 MB of such YAML.
    /// </summary>
    public const int MaxNodes = 100_000;
}
