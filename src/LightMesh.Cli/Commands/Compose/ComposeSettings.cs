using System.ComponentModel;
using System.Globalization;
using LightMesh.Core.Deployment;
using LightMesh.Core.Validation;
using LightMesh.Deployer;
using LightMesh.Etcd;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Compose;

/// <summary>Settings of the <c>compose</c> verbs: which node, the control plane its sidecar talks to, and optional canaries.</summary>
public class ComposeSettings : GlobalSettings
{
    [CommandOption("--node <NAME>")]
    [Description("The Node to render, diff, apply or undo")]
    public string Node { get; init; } = "";

    [CommandOption("--xds <HOST:PORT,...>")]
    [Description("The control plane the node's Envoy sidecar connects to; several controllers comma-separated. Default: 127.0.0.1:18000")]
    public string Xds { get; init; } = "127.0.0.1:18000";

    [CommandOption("--canary <SERVICE=VERSION[:REPLICAS]>")]
    [Description("Run VERSION beside SERVICE's stable version (REPLICAS per node, default 1); repeat for more")]
    public string[] Canaries { get; init; } = [];

    public IReadOnlyList<CanaryDeployment> ParsedCanaries => Canaries.Select(ParseCanary).ToList();

    public override ValidationResult Validate()
    {
        if (Node.Length == 0)
        {
            return ValidationResult.Error("--node: is required");
        }

        if (HostPorts.ParseList(Xds) is null)
        {
            return ValidationResult.Error($"--xds: \"{Xds}\" must be HOST:PORT, or several comma-separated");
        }

        var bad = Canaries.FirstOrDefault(c => TryParseCanary(c) is null);
        return bad is null ? base.Validate() : ValidationResult.Error($"--canary: \"{bad}\" must look like checkout=v2 or checkout=v2:2");
    }

    [CommandOption("--registrar-password-file <FILE>")]
    [Description("Where etcd's authentication is on: the file holding the lightmesh-registrar user's password, which the services started register with")]
    public string? RegistrarPasswordFile { get; init; }

    public NodeDeployer CreateDeployer(EtcdConnection etcd)
    {
        var options = new DeployerOptions { EtcdEndpoints = etcd.Options.Endpoints, Xds = HostPorts.ParseList(Xds)!, RegistrarPasswordFile = RegistrarPasswordFile };
        return NodeDeployer.ForDocker(etcd, TimeProvider.System, options);
    }

    private static CanaryDeployment ParseCanary(string text) => TryParseCanary(text) ?? throw new InvalidOperationException("validated");

    private static CanaryDeployment? TryParseCanary(string text)
    {
        if (text.Split('=') is not [{ Length: > 0 } service, { Length: > 0 } rest])
        {
            return null;
        }

        var parts = rest.Split(':');
        var replicas = 1;
        return parts.Length switch
        {
            1 => new CanaryDeployment(service, parts[0], 1, null),
            2 when int.TryParse(parts[1], CultureInfo.InvariantCulture, out replicas) && replicas is >= 0 and <= 50 => new CanaryDeployment(service, parts[0], replicas, null),
            _ => null,
        };
    }
}
