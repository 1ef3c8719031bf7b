using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;

namespace LightMesh.Cli.Commands;

/// <summary>Reads the documents of every <c>-f</c> file (or <c>-</c> for standard input) and collects every error.</summary>
public static class DocumentFiles
{
    /// <summary>How <c>-f -</c> reaches this class once the parser has seen it.</summary>
    public const string StandardInput = "/dev/stdin";

    public static (List<SourcedDocument> Documents, List<ValidationError> Errors) Read(IEnumerable<string> files)
    {
        var documents = new List<SourcedDocument>();
        var errors = new List<ValidationError>();
        foreach (var file in files)
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
