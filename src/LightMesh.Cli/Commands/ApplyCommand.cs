using System.ComponentModel;
using LightMesh.Client;
using LightMesh.Cli.Output;
using LightMesh.Core.Parsing;
using Spectre.Console;
using Spectre.Console.Cli;
using LightMesh.Releases.Requests;

namespace LightMesh.Cli.Commands;

/// <summary>
/// <c>lightmesh apply -f FILE...</c>: validates against the store, then writes every document in one guarded transaction;
/// through the controller's API with <c>--server</c>, else to etcd directly. What a running release manages is refused
/// (exit 3) unless <c>--force</c>.
/// </summary>
public sealed class ApplyCommand : AsyncCommand<ApplyCommand.Settings>
{
    public sealed class Settings : DocumentSettings
    {
        [CommandOption(FileSettings.FilesOption)]
        [Description(FileSettings.FilesDescription)]
        public string[] Files { get; init; } = [];

        [CommandOption("--force")]
        [Description(ForceDescription)]
        public bool Force { get; init; }

        [CommandOption("--dry-run")]
        [Description("Validate against the store and print what each document would become (created, configured, unchanged); write nothing")]
        public bool DryRun { get; init; }

        [CommandOption("--diff")]
        [Description("As --dry-run, with a unified diff of each document that would be created or changed")]
        public bool Diff { get; init; }

        public override ValidationResult Validate() => FileSettings.Check(Files) ?? base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (documents, errors) = DocumentFiles.Read(settings.Files);
        if (errors.Count > 0)
        {
            Printer.Errors(errors);
            Printer.Error("nothing was written");
            return ExitCodes.InvalidInput;
        }

        var preview = settings.DryRun || settings.Diff;
        if (settings.UsesController)
        {
            using var client = settings.CreateDocumentClient();
            return DocumentAnswers.Applied(await client.ApplyAsync(documents.Select(d => d.Document), settings.Force, preview, cancellationToken), documents, settings.Diff);
        }

        using var etcd = settings.Connect();
        var writes = DocumentWrites.ForEtcd(etcd, TimeProvider.System);
        if (!preview)
        {
            return WriteResults.Report(await writes.ApplyAsync(documents, DocumentSettings.Writer(settings.Force), cancellationToken));
        }

        var result = await writes.PreviewApplyAsync(documents, DocumentSettings.Writer(settings.Force), cancellationToken);
        if (settings.Diff)
        {
            DocumentDiffs.Print(result.Changes.Select(c => (c.Reference, c.Before is null ? null : DocumentCodec.Write(c.Before), c.After is null ? null : DocumentCodec.Write(c.After))));
        }

        return WriteResults.Report(result);
    }
}
