using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary>Settings of the verbs that act on one release: its id and who acts.</summary>
public class ReleaseActionSettings : ReleaseSettings
{
    [CommandArgument(0, "<ID|SERVICE>")]
    [Description("The release's id, as release start or release list print it, or a service's name for its newest release")]
    public string Id { get; init; } = "";

    [CommandOption("--actor <WHO>")]
    [Description("Who acts, for the release's event log. Default: $USER, else operator")]
    public string? Actor { get; init; }

    public string ActorOrDefault => Actor ?? DefaultActor;

    public override ValidationResult Validate() =>
        Actor is not null && string.IsNullOrWhiteSpace(Actor) ? ValidationResult.Error("--actor: must not be empty") : base.Validate();
}
