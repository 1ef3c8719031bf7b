using System.ComponentModel;
using LightMesh.Completion;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>
/// <c>lightmesh completion bash|zsh|fish</c>: prints a completion script of the verbs and options as they are configured
/// in <see cref="LightMeshApp"/>, so a new verb or option is completed without touching the scripts.
/// </summary>
public sealed class CompletionCommand : Command<CompletionCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SHELL>")]
        [Description("bash, zsh or fish")]
        public string Shell { get; init; } = "";

        public override ValidationResult Validate() =>
            Shells.Names.Contains(Shell)
                ? ValidationResult.Success()
                : ValidationResult.Error($"SHELL: \"{Shell}\" is not one of {string.Join(", ", Shells.Names)}");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var root = CommandModelReader.Read(LightMeshApp.Configure);
        Console.Write(settings.Shell switch
        {
            "zsh" => ZshCompletion.Script(root),
            "fish" => FishCompletion.Script(root),
            _ => BashCompletion.Script(root),
        });
        return ExitCodes.Ok;
    }
}
