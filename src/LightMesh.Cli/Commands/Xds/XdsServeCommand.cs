using System.ComponentModel;
using LightMesh.Host;
using LightMesh.Cli.Output;
using LightMesh.ControlPlane.Hosting;
using LightMesh.Core.Validation;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Xds;

/// <summary><c>lightmesh xds serve</c>: runs the control plane against etcd until Ctrl-C or SIGTERM.</summary>
public sealed class XdsServeCommand : AsyncCommand<XdsServeCommand.Settings>
{
    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--listen <IP:PORT>")]
        [Description("ADS (gRPC) endpoint. Default: 127.0.0.1:18000")]
        public string Listen { get; init; } = "127.0.0.1:18000";

        [CommandOption("--admin <IP:PORT>")]
        [Description("Admin endpoint for /status, /metrics, /healthz, /readyz. Default: 127.0.0.1:18001")]
        public string Admin { get; init; } = "127.0.0.1:18001";

        [CommandOption("--debounce-quiet <DURATION>")]
        [Description("The least time between two pushes; a change after it goes out at once, a sooner one waits for the rest. Default: 100ms")]
        public string DebounceQuiet { get; init; } = "100ms";

        [CommandOption("--allow-anonymous")]
        [Description("Serve streams that show no Node's proxy token; only for trying LightMesh on one machine (logged as a warning)")]
        public bool AllowAnonymous { get; init; }

        [CommandOption("--name <NAME>")]
        [Description("This control plane's name among those on one etcd; its proxies are reported under it. Default: HOST:PID")]
        public string? Name { get; init; }

        public XdsServerOptions ToOptions() => new()
        {
            Listen = Listen,
            Name = Name ?? $"{Environment.MachineName}:{Environment.ProcessId}",
            AllowAnonymous = AllowAnonymous,
            Admin = Admin,
            DebounceQuiet = Duration.TryParse(DebounceQuiet, out var quiet) ? quiet.Value : TimeSpan.Zero,
        };

        public override ValidationResult Validate()
        {
            var errors = ToOptions().Validate().ToList();
            if (!Duration.TryParse(DebounceQuiet, out _))
            {
                errors.Add($"--debounce-quiet: \"{DebounceQuiet}\" is not a duration");
            }

            return errors.Count > 0 ? ValidationResult.Error(string.Join("; ", errors)) : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions();
        ListenPorts.EnsureFree(("--listen", options.ListenEndpoint), ("--admin", options.AdminEndpoint));
        await using var server = await XdsServer.StartAsync(
            settings.ToEtcdOptions(),
            options,
            logging => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning),
            cancellationToken);
        Printer.Line($"serving ADS on {options.Listen}, status and metrics on http://{options.Admin}; Ctrl-C stops");
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
