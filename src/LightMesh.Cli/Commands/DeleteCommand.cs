using LightMesh.Cli.Output;
using LightMesh.Etcd.Documents;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>
/// <c>lightmesh delete KIND NAME</c>: deletes a document unless another stored document still needs it (exit 3);
/// through the controller's API with <c>--server</c>, else in etcd directly.
/// </summary>
public sealed class DeleteCommand : AsyncCommand<DeleteCommand.Settings>
{
    public sealed class Settings : KindSettings
    {
        public override ValidationResult Validate() =>
            Name is null ? ValidationResult.Error("NAME: name the document to delete") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.UsesController)
        {
            using var client = settings.CreateDocumentClient();
            return DocumentAnswers.Deleted(await client.DeleteAsync(settings.Kind, settings.Name!, cancellationToken), $"{settings.Kind}/{settings.Name}");
        }

        using var etcd = settings.Connect();
        var result = await new DocumentStore(etcd).DeleteAsync(settings.Kind, settings.Name!, cancellationToken);
        if (result.Outcome == WriteOutcome.Invalid)
        {
            Printer.Error($"cannot delete {settings.Kind}/{settings.Name}: stored documents still need it");
        }

        return WriteResults.Report(result, invalidExitCode: ExitCodes.Conflict);
    }
}
