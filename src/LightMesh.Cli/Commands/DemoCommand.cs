using System.ComponentModel;
using LightMesh.Demo;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>
/// <c>lightmesh demo</c>: the whole product on this machine in one command (see <see cref="DemoRun"/>): a healthy
/// release promoted, a failing one rolled back, as canaries or blue-green; or, with <c>--group</c>, two services released
/// as one group that rolls back together. Everything it started is stopped at the end, or at Ctrl-C.
/// </summary>
public sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--fast")]
        [Description("The pace CI runs it at: canary.yaml's durations divided by 30 instead of 10 (pauses of 10 s, analyses of 15 s)")]
        public bool Fast { get; init; }

        [CommandOption("--keep")]
        [Description("Leave everything running after the summary, until Ctrl-C")]
        public bool Keep { get; init; }

        [CommandOption("--calls <PER_SECOND>")]
        [Description("Calls a second to the demo service (with --group, to each service) through the mesh. Default: 50")]
        public int Calls { get; init; } = 50;

        [CommandOption("--strategy <STRATEGY>")]
        [Description("How v2 and v3 are released: canary (workflows/canary.yaml, rising weights) or blue-green (workflows/blue-green.yaml: a preview reached by its header, then all at once). Default: canary")]
        public string Strategy { get; init; } = "canary";

        [CommandOption("--group")]
        [Description("Release two services as one group instead (examples/group-shop.yaml): payments v2, healthy and promoted, then checkout v3, which fails; the group returns payments to v1")]
        public bool Group { get; init; }

        [CommandOption("--run-dir <DIR>")]
        [Description("Where the components keep their data and logs. Default: a new directory under /tmp")]
        public string? RunDirectory { get; init; }

        public override ValidationResult Validate() =>
            Calls is < 1 or > 500 ? ValidationResult.Error($"--calls: {Calls} must be between 1 and 500")
            : !Strategies.ContainsKey(Strategy) ? ValidationResult.Error($"--strategy: \"{Strategy}\" must be canary or blue-green")
            : Group && Strategy != "canary" ? ValidationResult.Error($"--group: the group's members are released with canary.yaml; --strategy {Strategy} cannot be combined with it")
            : base.Validate();
    }

    private static readonly Dictionary<string, DemoStrategy> Strategies = new(StringComparer.Ordinal)
    {
        ["canary"] = DemoStrategy.Canary,
        ["blue-green"] = DemoStrategy.BlueGreen,
    };

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        await new DemoRun(Console.Out).RunAsync(new DemoOptions(settings.Fast, settings.Keep, settings.Calls, settings.RunDirectory, Strategies[settings.Strategy], settings.Group), cancellationToken)
            ? ExitCodes.Ok
            : ExitCodes.Failed;
}
