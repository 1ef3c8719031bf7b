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
            string text;
            try
            {
                text = file == StandardInput ? Console.In.ReadToEnd() : File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new ValidationError(file, "", "", $"cannot be read: {e.Message}"));
                continue;
            }

            var result = DocumentParser.Parse(text, file == StandardInput ? "-" : file);
            documents.AddRange(result.Documents);
            errors.AddRange(result.Errors);
        }

        return (documents, errors);
    }
}
