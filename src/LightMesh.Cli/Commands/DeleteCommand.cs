using System.ComponentModel;
using LightMesh.Cli.Output;
using LightMesh.Etcd.Documents;
using Spectre.Console;
using Spectre.Console.Cli;
using LightMesh.Releases.Requests;

namespace LightMesh.Cli.Commands;

/// <summary>
/// <c>lightmesh delete KIND NAME</c>: deletes a document unless another stored document still needs it or a running
/// release manages it (exit 3; <c>--force</c> for the latter);
/// through the controller's API with <c>--server</c>, else in etcd directly.
/// </summary>
public sealed class DeleteCommand : AsyncCommand<DeleteCommand.Settings>
{
    public sealed class Settings : KindSettings
    {
        [CommandOption("--force")]
        [Description(ForceDescription)]
        public bool Force { get; init; }

        public override ValidationResult Validate() =>
            Name is null ? ValidationResult.Error("NAME: name the document to delete") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.UsesController)
        {
            using var client = settings.CreateDocumentClient();
            return DocumentAnswers.Deleted(await client.DeleteAsync(settings.Kind, settings.Name!, settings.Force, cancellationToken), $"{settings.Kind}/{settings.Name}");
        }

        using var etcd = settings.Connect();
        var result = await DocumentWrites.ForEtcd(etcd, TimeProvider.System).DeleteAsync(settings.Kind, settings.Name!, DocumentSettings.Writer(settings.Force), cancellationToken);
        if (result.Outcome == WriteOutcome.Invalid)
        {
            Printer.Error($"cannot delete {settings.Kind}/{settings.Name}: stored documents still need it");
        }
        else if (result.Outcome == WriteOutcome.Managed)
        {
            // As the controller's 409 is printed, so the verb reads the same with --server and without.
            Printer.Error($"cannot delete {settings.Kind}/{settings.Name}:");
            Printer.Errors(result.ManagedFields.Select(f => f.ToString()));
            Printer.Error("nothing was written");
            return ExitCodes.Conflict;
        }

        return WriteResults.Report(result, invalidExitCode: ExitCodes.Conflict);
    }
}
