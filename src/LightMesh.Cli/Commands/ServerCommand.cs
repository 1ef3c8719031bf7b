using System.ComponentModel;
using System.Reflection;
using LightMesh.Cli.Output;
using LightMesh.Core;
using LightMesh.Etcd;
using LightMesh.Host;
using LightMesh.Host.Configuration;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary><c>lightmesh server</c>: the controller (release engine when leader, xDS control plane, HTTP API) until Ctrl-C or SIGTERM.</summary>
public sealed class ServerCommand : AsyncCommand<ServerCommand.Settings>
{
    /// <summary>
    /// The flags, each declared here for the parser and defined once in <see cref="ServerSettings"/> (key, parser,
    /// default, help). They stay null when not given, so the environment and the configuration file can set them; given,
    /// they are the last source of the controller's configuration (<see cref="FlagSettings"/>).
    /// </summary>
    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--listen <URL>")]
        [ServerSettingHelp("--listen")]
        public string? Listen { get; init; }

        [CommandOption("--xds-listen <IP:PORT>")]
        [ServerSettingHelp("--xds-listen")]
        public string? XdsListen { get; init; }

        [CommandOption("--prometheus <URL>")]
        [ServerSettingHelp("--prometheus")]
        public string? Prometheus { get; init; }

        [CommandOption("--name <NAME>")]
        [ServerSettingHelp("--name")]
        public string? Name { get; init; }

        [CommandOption("--allow-anonymous-proxies <BOOL>")]
        [ServerSettingHelp("--allow-anonymous-proxies")]
        public string? AllowAnonymousProxies { get; init; }

        [CommandOption("--lease-ttl <DURATION>")]
        [ServerSettingHelp("--lease-ttl")]
        public string? LeaseTtl { get; init; }

        [CommandOption("--drain-delay <DURATION>")]
        [ServerSettingHelp("--drain-delay")]
        public string? DrainDelay { get; init; }

        [CommandOption("--convergence-timeout <DURATION>")]
        [ServerSettingHelp("--convergence-timeout")]
        public string? ConvergenceTimeout { get; init; }

        [CommandOption("--deploy-timeout <DURATION>")]
        [ServerSettingHelp("--deploy-timeout")]
        public string? DeployTimeout { get; init; }

        [CommandOption("--poll-interval <DURATION>")]
        [ServerSettingHelp("--poll-interval")]
        public string? PollInterval { get; init; }

        [CommandOption("--background-interval <DURATION>")]
        [ServerSettingHelp("--background-interval")]
        public string? BackgroundInterval { get; init; }

        [CommandOption("--retry-delay <DURATION>")]
        [ServerSettingHelp("--retry-delay")]
        public string? RetryDelay { get; init; }

        [CommandOption("--max-retry-delay <DURATION>")]
        [ServerSettingHelp("--max-retry-delay")]
        public string? MaxRetryDelay { get; init; }

        [CommandOption("--recheck-interval <DURATION>")]
        [ServerSettingHelp("--recheck-interval")]
        public string? RecheckInterval { get; init; }

        [CommandOption("--schedule-interval <DURATION>")]
        [ServerSettingHelp("--schedule-interval")]
        public string? ScheduleInterval { get; init; }

        [CommandOption("--group-interval <DURATION>")]
        [ServerSettingHelp("--group-interval")]
        public string? GroupInterval { get; init; }

        [CommandOption("--max-concurrent-releases <N>")]
        [ServerSettingHelp("--max-concurrent-releases")]
        public string? MaxConcurrentReleases { get; init; }

        [CommandOption("--measurement-retention <N>")]
        [ServerSettingHelp("--measurement-retention")]
        public string? MeasurementRetention { get; init; }

        [CommandOption("--release-history <N>")]
        [ServerSettingHelp("--release-history")]
        public string? ReleaseHistory { get; init; }

        [CommandOption("--release-history-age <DURATION>")]
        [ServerSettingHelp("--release-history-age")]
        public string? ReleaseHistoryAge { get; init; }

        [CommandOption("--etcd-compaction-interval <DURATION>")]
        [ServerSettingHelp("--etcd-compaction-interval")]
        public string? EtcdCompactionInterval { get; init; }

        [CommandOption("--sidecar-xds <HOST:PORT,...>")]
        [ServerSettingHelp("--sidecar-xds")]
        public string? SidecarXds { get; init; }

        [CommandOption("--console <BOOL>")]
        [ServerSettingHelp("--console")]
        public string? Console { get; init; }

        [CommandOption("--grafana <URL>")]
        [ServerSettingHelp("--grafana")]
        public string? Grafana { get; init; }

        [CommandOption("--registrar-password-file <FILE>")]
        [ServerSettingHelp("--registrar-password-file")]
        public string? RegistrarPasswordFile { get; init; }

        [CommandOption("--etcd-max-message-size <SIZE>")]
        [ServerSettingHelp("--etcd-max-message-size")]
        public string? EtcdMaxMessageSize { get; init; }

        [CommandOption("--config <FILE>")]
        [Description("JSON configuration, section LightMesh (LightMesh:Server:Listen, LightMesh:Auth:Tokens, ...); the environment overrides it (LightMesh__Server__Listen), a flag overrides both. Default: appsettings.json in the working directory, if there is one")]
        public string? Config { get; init; }

        /// <summary>The flags given on the command line, by long name (<c>--listen</c>), <c>--etcd</c> and <c>--prefix</c> included.</summary>
        public IReadOnlyDictionary<string, string> Given() =>
            GetType().GetProperties()
                .Select(p => (Option: p.GetCustomAttribute<CommandOptionAttribute>(), Value: p.GetValue(this) as string))
                .Where(o => o.Option is { LongNames.Count: > 0 } && o.Value is not null)
                .ToDictionary(o => $"--{o.Option!.LongNames[0]}", o => o.Value!, StringComparer.Ordinal);

        // Every setting is checked once the configuration is read, naming the flag, key or variable the value came from.
        public override ValidationResult Validate() => ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var flags = settings.Given();
        var (resolved, errors) = ServerSettings.Resolve(ControllerConfiguration.Read(settings.Config), flags);
        if (errors.Count > 0)
        {
            throw new InvalidInputException(string.Join("; ", errors));
        }

        // The controller reads the same sources, these flags the last, through the same table and validators; reading
        // them here first names every wrong value, then a port in use, before it starts anything.
        var options = resolved.Controller;
        ListenPorts.EnsureFree(("--listen", options.ListenEndpoint), ("--xds-listen", options.XdsEndpoint));
        await using var server = await ControllerServer.StartAsync(
            new EtcdOptions(),
            new ControllerOptions { ConfigFile = settings.Config, Flags = flags },
            logging => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning).AddFilter("WorkflowCore", LogLevel.Warning).AddFilter("System.Net.Http.HttpClient", LogLevel.Warning),
            cancellationToken);
        var console = options.Console ? $", console on {options.Listen.TrimEnd('/')}/console/" : "";
        Printer.Line($"controller {options.Engine.Candidate}: API on {options.Listen}{console}, xDS on {options.XdsListen}; Ctrl-C stops");
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
