using LightMesh.Client;
using LightMesh.Cli.Output;
using LightMesh.Core.Validation;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary><c>lightmesh validate -f FILE...</c>: checks documents offline, printing every error.</summary>
public sealed class ValidateCommand : Command<FileSettings>
{
    public override int Execute(CommandContext context, FileSettings settings, CancellationToken cancellationToken)
    {
        var (documents, errors) = DocumentFiles.Read(settings.Files);
        errors.AddRange(DocumentSetValidator.Validate(documents, complete: false));
        if (errors.Count > 0)
        {
            Printer.Errors(errors);
            Printer.Error($"{errors.Count} error{(errors.Count == 1 ? "" : "s")}");
            return ExitCodes.InvalidInput;
        }

        Printer.Line($"{documents.Count} document{(documents.Count == 1 ? "" : "s")} valid");
        return ExitCodes.Ok;
    }
}
