using System.ComponentModel;
using System.Text.Json;
using LightMesh.Cli.Output;
using LightMesh.Core.Validation;
using LightMesh.Deployer;
using LightMesh.Xds.Bootstrap;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Xds;

/// <summary><c>lightmesh envoy bootstrap</c>: an Envoy bootstrap that takes everything from the control plane over ADS.</summary>
public sealed class EnvoyBootstrapCommand : Command<EnvoyBootstrapCommand.Settings>
{
    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--node <NAME>")]
        [Description("The Node this Envoy runs on; it gets that node's outbound listener")]
        public string Node { get; init; } = "";

        [CommandOption("--xds <HOST:PORT,...>")]
        [Description("The control plane's ADS endpoint; several controllers comma-separated, to go on with another when one goes away. Default: 127.0.0.1:18000")]
        public string Xds { get; init; } = "127.0.0.1:18000";

        [CommandOption("--token-file <FILE>")]
        [Description("A file holding the Node's proxy token (its SHA-256 is the Node's spec.proxyToken.sha256), which the control plane asks of every proxy unless it allows anonymous ones")]
        public string? TokenFile { get; init; }

        [CommandOption("--admin-port <PORT>")]
        [Description("Envoy's admin port, on 127.0.0.1. Default: 9901")]
        public int AdminPort { get; init; } = 9901;

        public override ValidationResult Validate() =>
            Node.Length == 0 ? ValidationResult.Error("--node: is required")
            : HostPorts.ParseList(Xds) is null ? ValidationResult.Error($"--xds: \"{Xds}\" must be HOST:PORT, or several comma-separated")
            : AdminPort is < 1 or > 65535 ? ValidationResult.Error($"--admin-port: {AdminPort} must be 1..65535")
            : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var xds = HostPorts.ParseList(settings.Xds)!;
        var token = settings.TokenFile is { } file ? SecretFile.Read(file, "--token-file") : null;
        Printer.Line(Bootstraps.Envoy(settings.Node, xds, settings.AdminPort, token).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return ExitCodes.Ok;
    }
}
