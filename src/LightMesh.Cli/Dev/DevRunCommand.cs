using System.ComponentModel;
using System.Globalization;
using LightMesh.Demo.Dev;
using LightMesh.Core.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Dev;

/// <summary><c>lightmesh dev run SERVICE VERSION</c>: one instance of the demo service in the dev environment (see <see cref="DevInstances"/>).</summary>
public sealed class DevRunCommand : AsyncCommand<DevRunCommand.Settings>
{
    public sealed class Settings : DevSettings
    {
        [CommandArgument(0, "<SERVICE>")]
        [Description("The service the instance registers as")]
        public string Service { get; init; } = "";

        [CommandArgument(1, "<VERSION>")]
        [Description("The version it registers as (label version=VERSION)")]
        public string Version { get; init; } = "";

        [CommandOption("--error-rate <FRACTION>")]
        [Description("The fraction of calls it fails (HTTP 500, gRPC Unavailable), from 0 to 1. Default: 0")]
        public double ErrorRate { get; init; }

        [CommandOption("--port <PORT>")]
        [Description("The port it listens on, on 127.0.0.1. Default: a free one")]
        public int? Port { get; init; }

        public override ValidationResult Validate()
        {
            List<string> problems = [];
            if (ErrorRate is < 0 or > 1 || double.IsNaN(ErrorRate))
            {
                problems.Add($"--error-rate: {ErrorRate.ToString(CultureInfo.InvariantCulture)} must be a fraction from 0 to 1, e.g. 0.5");
            }

            if (Port is < 1 or > 65535)
            {
                problems.Add($"--port: {Port} must be between 1 and 65535");
            }

            if (Names.CheckDns1123Label(Service) is { } service)
            {
                problems.Add($"SERVICE: {service}");
            }

            if (Version.Length == 0 || Names.CheckLabelValue(Version) is not null)
            {
                problems.Add($"VERSION: {Names.CheckLabelValue(Version) ?? "must not be empty"}");
            }
            return problems.Count > 0 ? ValidationResult.Error(string.Join("; ", problems)) : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await new DevInstances(Console.Out).RunAsync(
            settings.DevDirectory, new DevInstanceRequest(settings.Service, settings.Version, settings.ErrorRate, settings.Port), cancellationToken);
        return ExitCodes.Ok;
    }
}
