using System.ComponentModel;
using System.Text.Json;
using LightMesh.Cli.Output;
using LightMesh.Core.Validation;
using LightMesh.Deployer;
using LightMesh.Xds.Bootstrap;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Xds;

/// <summary><c>lightmesh xds bootstrap</c>: the bootstrap JSON a proxyless gRPC client reads from <c>GRPC_XDS_BOOTSTRAP</c>.</summary>
public sealed class XdsBootstrapCommand : Command<XdsBootstrapCommand.Settings>
{
    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--node-id <ID>")]
        [Description("The client's node id, shown in xds status")]
        public string NodeId { get; init; } = "";

        [CommandOption("--xds <HOST:PORT,...>")]
        [Description("The control plane's ADS endpoint; several controllers comma-separated, to go on with another when one goes away. Default: 127.0.0.1:18000")]
        public string Xds { get; init; } = "127.0.0.1:18000";

        [CommandOption("--token-file <FILE>")]
        [Description("A file holding the Node's proxy token (its SHA-256 is the Node's spec.proxyToken.sha256), which the control plane asks of every proxy unless it allows anonymous ones")]
        public string? TokenFile { get; init; }

        public override ValidationResult Validate() =>
            NodeId.Length == 0 ? ValidationResult.Error("--node-id: is required")
            : HostPorts.ParseList(Xds) is null ? ValidationResult.Error($"--xds: \"{Xds}\" must be HOST:PORT, or several comma-separated")
            : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var xds = HostPorts.ParseList(settings.Xds)!;
        var token = settings.TokenFile is { } file ? SecretFile.Read(file, "--token-file") : null;
        Printer.Line(Bootstraps.Grpc(settings.NodeId, xds, token).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return ExitCodes.Ok;
    }
}
