using System.Net;
using LightMesh.Client;
using LightMesh.Cli.Api;
using LightMesh.Cli.Output;
using LightMesh.Core.Documents;

namespace LightMesh.Cli.Commands;

/// <summary>
/// Prints what the document API answered as <see cref="WriteResults"/> prints a write to etcd, with the same exit codes,
/// so <c>apply</c>, <c>get</c> and <c>delete</c> read the same with <c>--server</c> and without. A refused token or role
/// prints the controller's reason and exits 7.
/// </summary>
public static class DocumentAnswers
{
    // The name the controller's apply gives its request body in errors ("body: Service/x: spec.port: ...").
    private const string BodySource = "body";

    /// <summary>
    /// Reports an apply; an error about a document names the file it came from, as when writing to etcd. With
    /// <paramref name="diff"/>, a dry run's answer is printed as a diff of each document first.
    /// </summary>
    public static int Applied(ApiAnswer<DocumentWriteView> answer, IReadOnlyList<SourcedDocument> sent, bool diff = false)
    {
        if (diff && answer.Value is { DryRun: true } preview)
        {
            DocumentDiffs.Print(preview.Changes.Select(c => (c.Document, c.Before, c.After)));
        }

        switch (answer.Status)
        {
            case HttpStatusCode.BadRequest:
                Printer.Errors(answer.Errors.Select(e => InItsFile(e, sent)));
                Printer.Error("nothing was written");
                return ExitCodes.InvalidInput;
            case HttpStatusCode.Conflict:
                Printer.Errors(answer.Errors.Select(e => $"conflict: {e}"));
                return ExitCodes.Conflict;
            default:
                return Written(answer);
        }
    }

    /// <summary>Reports a delete: refused while another document needs it (exit 3), or not found (exit 4).</summary>
    public static int Deleted(ApiAnswer<DocumentWriteView> answer, string reference)
    {
        switch (answer.Status)
        {
            case HttpStatusCode.Conflict:
                Printer.Error($"cannot delete {reference}:");
                Printer.Errors(answer.Errors);
                Printer.Error("nothing was written");
                return ExitCodes.Conflict;
            case HttpStatusCode.NotFound:
                Printer.Errors(answer.Errors);
                return ExitCodes.NotFound;
            default:
                return Written(answer);
        }
    }

    /// <summary>Reports a read that found nothing (exit 4) or was refused; null when it answered documents.</summary>
    public static int? Unread(ApiAnswer<IReadOnlyList<Document>> answer, string notFoundHint)
    {
        if (answer.Succeeded)
        {
            return null;
        }

        if (answer.Status == HttpStatusCode.NotFound)
        {
            Printer.Errors(answer.Errors.Select(e => e + notFoundHint));
            return ExitCodes.NotFound;
        }

        return ApiFailures.Report(answer);
    }

    private static int Written(ApiAnswer<DocumentWriteView> answer)
    {
        if (answer.Value is { } written)
        {
            foreach (var change in written.Changes)
            {
                Printer.Line($"{change.Document} {change.Change}{(written.DryRun ? WriteResults.DryRunSuffix : "")}");
            }

            return ExitCodes.Ok;
        }

        var code = ApiFailures.Report(answer);
        Printer.Error("nothing was written");
        return code;
    }

    private static string InItsFile(string error, IReadOnlyList<SourcedDocument> sent) =>
        sent.FirstOrDefault(d => error.StartsWith($"{BodySource}: {d.Document.Reference}: ", StringComparison.Ordinal)) is { } document
            ? document.Source + error[BodySource.Length..]
            : error;
}
