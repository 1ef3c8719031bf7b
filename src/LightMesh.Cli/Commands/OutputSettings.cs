using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>The option every verb that prints results takes: the output format.</summary>
public class OutputSettings : CommandSettings
{
    [CommandOption("-o|--output <FORMAT>")]
    [Description("table, json or yaml. Default: table")]
    public string Output { get; init; } = "table";

    public override ValidationResult Validate() =>
        Output is "table" or "json" or "yaml" ? ValidationResult.Success() : ValidationResult.Error($"-o/--output: \"{Output}\" is not one of table, json, yaml");

    protected static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
