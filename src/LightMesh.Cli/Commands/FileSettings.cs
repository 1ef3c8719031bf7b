using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>Settings of verbs that read documents from files.</summary>
public class FileSettings : GlobalSettings
{
    [CommandOption("-f|--filename <FILE>")]
    [Description("A YAML or JSON file of documents (several separated by ---); repeat for more; - reads standard input")]
    public string[] Files { get; init; } = [];

    public override ValidationResult Validate() =>
        Files.Length == 0 ? ValidationResult.Error("-f/--filename: name at least one file") : base.Validate();
}
