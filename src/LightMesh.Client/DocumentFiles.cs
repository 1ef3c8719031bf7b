using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;

namespace LightMesh.Client;

/// <summary>
/// Reads the documents of every <c>-f</c> file (or <c>-</c> for standard input, or a directory: its <c>.yaml</c>,
/// <c>.yml</c> and <c>.json</c> files in name order, not its subdirectories) and collects every error.
/// </summary>
public static class DocumentFiles
{
    /// <summary>How <c>-f -</c> reaches this class once the parser has seen it.</summary>
    public const string StandardInput = "/dev/stdin";

    private static readonly string[] DocumentExtensions = [".yaml", ".yml", ".json"];

    public static (List<SourcedDocument> Documents, List<ValidationError> Errors) Read(IEnumerable<string> files)
    {
        var documents = new List<SourcedDocument>();
        var errors = new List<ValidationError>();
        foreach (var file in files.SelectMany(f => Expand(f, errors)))
        {
            byte[] bytes;
            try
            {
                using var stream = file == StandardInput ? Console.OpenStandardInput() : File.OpenRead(file);
                bytes = ReadAtMost(stream, DocumentLimits.MaxBytes + 1);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new ValidationError(file, "", "", $"cannot be read: {e.Message}"));
                continue;
            }

            // The parser decodes the bytes itself, so that a file that is not UTF-8 is refused, not read with replacements.
            var result = DocumentParser.Parse(bytes, file == StandardInput ? "-" : file);
            documents.AddRange(result.Documents);
            errors.AddRange(result.Errors);
        }

        return (documents, errors);
    }

    /// <summary>A file as it is; a directory as its document files, or an error naming it when it has none.</summary>
    private static List<string> Expand(string path, List<ValidationError> errors)
    {
        if (path == StandardInput || !Directory.Exists(path))
        {
            return [path];
        }

        var found = Directory.EnumerateFiles(path)
            .Where(f => DocumentExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (found.Count == 0)
        {
            errors.Add(new ValidationError(path, "", "", $"a directory with no {string.Join(", ", DocumentExtensions)} files in it"));
        }

        return found;
    }

    /// <summary>The stream's first <paramref name="limit"/> bytes: enough for the parser to refuse a larger file without reading it all.</summary>
    private static byte[] ReadAtMost(Stream stream, int limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while (buffer.Length < limit && (read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, limit - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
