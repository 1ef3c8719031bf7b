using System.ComponentModel;
using LightMesh.Cli.Output;
using LightMesh.Core.Validation;
using LightMesh.Host;
using LightMesh.Releases.Engine;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary><c>lightmesh server</c>: the controller (release engine when leader, xDS control plane, HTTP API) until Ctrl-C or SIGTERM.</summary>
public sealed class ServerCommand : AsyncCommand<ServerCommand.Settings>
{
    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--listen <URL>")]
        [Description("HTTP API, /healthz and /metrics. Default: http://127.0.0.1:8080")]
        public string Listen { get; init; } = "http://127.0.0.1:8080";

        [CommandOption("--xds-listen <IP:PORT>")]
        [Description("xDS (ADS over gRPC) endpoint. Default: 127.0.0.1:18000")]
        public string XdsListen { get; init; } = "127.0.0.1:18000";

        [CommandOption("--prometheus <URL>")]
        [Description("Prometheus for analyses whose template names none. Default: http://127.0.0.1:9090/")]
        public string Prometheus { get; init; } = "http://127.0.0.1:9090/";

        [CommandOption("--name <NAME>")]
        [Description("This controller's name in the leader election. Default: host:pid")]
        public string? Name { get; init; }

        [CommandOption("--lease-ttl <DURATION>")]
        [Description("Leadership lease; a standby takes over this long after the leader dies. Default: 10s")]
        public string LeaseTtl { get; init; } = "10s";

        [CommandOption("--drain-delay <DURATION>")]
        [Description("How long a version without traffic keeps running before removal. Default: 10s")]
        public string DrainDelay { get; init; } = "10s";

        [CommandOption("--convergence-timeout <DURATION>")]
        [Description("How long a traffic change may take to reach every proxy. Default: 30s")]
        public string ConvergenceTimeout { get; init; } = "30s";

        [CommandOption("--deploy-timeout <DURATION>")]
        [Description("How long a deploy may take until the canary's instances register. Default: 5m")]
        public string DeployTimeout { get; init; } = "5m";

        [CommandOption("--poll-interval <DURATION>")]
        [Description("How often the workflow host looks for due releases. Default: 1s")]
        public string PollInterval { get; init; } = "1s";

        [CommandOption("--background-interval <DURATION>")]
        [Description("How often a background analysis runs again. Default: 30s")]
        public string BackgroundInterval { get; init; } = "30s";

        [CommandOption("--config <FILE>")]
        [Description("JSON configuration (section LightMesh, e.g. LightMesh:Auth:Tokens); the environment overrides it (LightMesh__Auth__...). Default: appsettings.json in the working directory, if there is one")]
        public string? Config { get; init; }

        [CommandOption("--max-concurrent-releases <N>")]
        [Description("Releases carried out at the same time; the others wait their turn. Default: 64")]
        public int MaxConcurrentReleases { get; init; } = 64;

        public ControllerOptions ToOptions()
        {
            var engine = new ReleaseEngineOptions
            {
                LeaseTtl = Parse(LeaseTtl), DrainDelay = Parse(DrainDelay), ConvergenceTimeout = Parse(ConvergenceTimeout),
                DeployTimeout = Parse(DeployTimeout), PollInterval = Parse(PollInterval), BackgroundInterval = Parse(BackgroundInterval),
                MaxConcurrentReleases = MaxConcurrentReleases,
                Prometheus = Uri.TryCreate(Prometheus, UriKind.Absolute, out var prometheus) ? prometheus : new Uri("http://127.0.0.1:9090/"),
            };
            return new ControllerOptions { Listen = Listen, XdsListen = XdsListen, ConfigFile = Config, Engine = Name is null ? engine : engine with { Candidate = Name } };
        }

        public override ValidationResult Validate()
        {
            var errors = ToOptions().Validate().ToList();
            foreach (var (option, value) in Durations())
            {
                if (!Duration.TryParse(value, out _))
                {
                    errors.Add($"{option}: \"{value}\" is not a duration");
                }
            }

            if (MaxConcurrentReleases is < 1 or > 10000)
            {
                errors.Add($"--max-concurrent-releases: {MaxConcurrentReleases} must be 1..10000");
            }

            if (!Uri.TryCreate(Prometheus, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"--prometheus: \"{Prometheus}\" must be an http(s) URL");
            }

            return errors.Count > 0 ? ValidationResult.Error(string.Join("; ", errors)) : base.Validate();
        }

        private IEnumerable<(string Option, string Value)> Durations() =>
        [
            ("--lease-ttl", LeaseTtl), ("--drain-delay", DrainDelay), ("--convergence-timeout", ConvergenceTimeout),
            ("--deploy-timeout", DeployTimeout), ("--poll-interval", PollInterval), ("--background-interval", BackgroundInterval),
        ];

        private static TimeSpan Parse(string text) => Duration.TryParse(text, out var duration) ? duration.Value : TimeSpan.Zero;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions();
        await using var server = await ControllerServer.StartAsync(
            settings.ToEtcdOptions(),
            options,
            logging => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning).AddFilter("WorkflowCore", LogLevel.Warning).AddFilter("System.Net.Http.HttpClient", LogLevel.Warning),
            cancellationToken);
        Printer.Line($"controller {options.Engine.Candidate}: API on {options.Listen}, xDS on {options.XdsListen}; Ctrl-C stops");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM: stop below.
        }

        return ExitCodes.Ok;
    }
}
