using System.ComponentModel;
using LightMesh.Demo.Dev;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Dev;

/// <summary>
/// <c>lightmesh dev traffic SERVICE</c>: steady calls to a service through the mesh (see <see cref="DevCaller"/>), in the
/// background until <c>dev down</c>; <c>--foreground</c> calls from here and says what answered, until Ctrl-C.
/// </summary>
public sealed class DevTrafficCommand : AsyncCommand<DevTrafficCommand.Settings>
{
    public sealed class Settings : DevSettings
    {
        [CommandArgument(0, "<SERVICE>")]
        [Description("The Service to call (a stored Service document, speaking gRPC: the demo service's Echo)")]
        public string Service { get; init; } = "";

        [CommandOption("--calls <PER_SECOND>")]
        [Description("Calls a second. Default: 20")]
        public int Calls { get; init; } = 20;

        [CommandOption("--foreground")]
        [Description("Call from this terminal, printing what answered every few seconds, until Ctrl-C")]
        public bool Foreground { get; init; }

        public override ValidationResult Validate() =>
            Calls is < 1 or > 500 ? ValidationResult.Error($"--calls: {Calls} must be between 1 and 500") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await new DevCaller(Console.Out).CallAsync(settings.DevDirectory, settings.Service, settings.Calls, settings.Foreground, cancellationToken);
        return ExitCodes.Ok;
    }
}
