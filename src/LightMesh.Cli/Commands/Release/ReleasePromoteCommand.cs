using System.ComponentModel;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary><c>lightmesh release promote ID [--full]</c>: finishes the current step now, or with --full skips to promotion.</summary>
public sealed class ReleasePromoteCommand : AsyncCommand<ReleasePromoteCommand.Settings>
{
    public sealed class Settings : ReleaseActionSettings
    {
        [CommandOption("--full")]
        [Description("Skip every remaining step and promote the new version now")]
        public bool Full { get; init; }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        ReleaseActionCommand.ActAsync(settings, settings.Full ? "promote-full" : "promote", cancellationToken);
}
