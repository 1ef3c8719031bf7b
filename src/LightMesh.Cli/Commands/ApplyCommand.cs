using LightMesh.Cli.Output;
using LightMesh.Etcd.Documents;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary><c>lightmesh apply -f FILE...</c>: validates against the store, then writes every document in one guarded transaction.</summary>
public sealed class ApplyCommand : AsyncCommand<FileSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, FileSettings settings, CancellationToken cancellationToken)
    {
        var (documents, errors) = DocumentFiles.Read(settings.Files);
        if (errors.Count > 0)
        {
            Printer.Errors(errors);
            Printer.Error("nothing was written");
            return ExitCodes.InvalidInput;
        }

        using var etcd = settings.Connect();
        return WriteResults.Report(await new DocumentStore(etcd).ApplyAsync(documents, cancellationToken));
    }
}
