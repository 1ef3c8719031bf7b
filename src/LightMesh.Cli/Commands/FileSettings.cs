using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>Settings of verbs that read documents from files.</summary>
public class FileSettings : GlobalSettings
{
    public const string FilesOption = "-f|--filename <FILE>";
    public const string FilesDescription = "A YAML or JSON file of documents (several separated by ---), or a directory of them (its .yaml, .yml and .json files); repeat for more; - reads standard input";

    [CommandOption(FilesOption)]
    [Description(FilesDescription)]
    public string[] Files { get; init; } = [];

    public override ValidationResult Validate() => Check(Files) ?? base.Validate();

    /// <summary>The error when no file is named; shared with <c>apply</c>'s settings.</summary>
    public static ValidationResult? Check(string[] files) =>
        files.Length == 0 ? ValidationResult.Error("-f/--filename: name at least one file") : null;
}
