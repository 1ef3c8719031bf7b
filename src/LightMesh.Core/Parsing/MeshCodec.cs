using System.Text.Json.Nodes;
using LightMesh.Core.Mesh;
using LightMesh.Core.Security;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Reads and writes the <c>spec</c> of LightMesh's own kinds, Service and Node.</summary>
internal static class MeshCodec
{
    public static MeshServiceSpec? ReadServiceSpec(ReadContext context, JsonObject spec)
    {
        var protocolText = context.String(spec, "spec", "protocol", required: true);
        ServiceProtocol? protocol = protocolText switch
        {
            null => null,
            "http" => ServiceProtocol.Http,
            "grpc" => ServiceProtocol.Grpc,
            _ => null,
        };
        if (protocolText is not null && protocol is null)
        {
            context.Error("spec.protocol", $"\"{protocolText}\" is not supported (use http or grpc)");
        }

        var port = context.Int(spec, "spec", "port", 1, 65535, required: true);
        var owner = context.String(spec, "spec", "owner");
        var deploy = DeploymentCodec.ReadDeploy(context, spec);
        return protocol is null || port is null ? null : new MeshServiceSpec { Protocol = protocol.Value, Port = port.Value, Owner = owner, Deploy = deploy };
    }

    public static MeshNodeSpec? ReadNodeSpec(ReadContext context, JsonObject spec)
    {
        var address = context.String(spec, "spec", "address", required: true);
        if (address is not null && !Names.IsIpAddress(address))
        {
            context.Error("spec.address", $"\"{address}\" must be an IP address");
            address = null;
        }

        var labels = context.StringMap(spec, "spec", "labels", Names.CheckLabelKey, Names.CheckLabelValue);
        var docker = context.String(spec, "spec", "dockerEndpoint");
        if (docker is not null && !IsDockerEndpoint(docker))
        {
            context.Error("spec.dockerEndpoint", $"\"{docker}\" must be unix:///path or tcp://host:port");
        }

        var proxyPort = context.Int(spec, "spec", "proxyPort", 1, 65535);
        var tls = DeploymentCodec.ReadDockerTls(context, spec);
        if (tls is not null && docker is not null && !docker.StartsWith("tcp://", StringComparison.Ordinal))
        {
            context.Error("spec.dockerTls", "only applies to a tcp:// dockerEndpoint");
        }

        var sidecar = DeploymentCodec.ReadSidecar(context, spec);
        var token = ReadProxyToken(context, spec);
        if (sidecar is not null && token is { File: null })
        {
            context.Error("spec.proxyToken.file", "is required with a sidecar: the sidecar LightMesh deploys shows the token it holds");
        }
        return address is null ? null : new MeshNodeSpec
        {
            Address = address, Labels = labels, DockerEndpoint = docker, DockerTls = tls, ProxyPort = proxyPort, Sidecar = sidecar, ProxyToken = token,
        };
    }

    private static ProxyToken? ReadProxyToken(ReadContext context, JsonObject spec)
    {
        var obj = context.OptionalObject(spec, "spec", "proxyToken", "sha256", "file");
        if (obj is null)
        {
            return null;
        }

        var sha256 = context.String(obj, "spec.proxyToken", "sha256", required: true);
        if (sha256 is not null && !TokenHash.IsHex(sha256))
        {
            context.Error("spec.proxyToken.sha256", "must be the token's SHA-256: 64 hex digits (printf %s \"$TOKEN\" | sha256sum)");
            sha256 = null;
        }

        var file = context.String(obj, "spec.proxyToken", "file");
        return sha256 is null ? null : new ProxyToken { Sha256 = sha256.ToLowerInvariant(), File = file };
    }

    private static bool IsDockerEndpoint(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == "unix" && uri.AbsolutePath.Length > 1 || uri.Scheme == "tcp" && uri.Host.Length > 0 && !uri.IsDefaultPort);

    public static JsonObject WriteServiceSpec(MeshServiceSpec spec) => new JsonObject()
        .Set("protocol", spec.Protocol.ToString().ToLowerInvariant())
        .Set("port", spec.Port)
        .Set("owner", spec.Owner)
        .Set("deploy", DeploymentCodec.WriteDeploy(spec.Deploy));

    public static JsonObject WriteNodeSpec(MeshNodeSpec spec) => new JsonObject()
        .Set("address", spec.Address)
        .Set("labels", spec.Labels)
        .Set("dockerEndpoint", spec.DockerEndpoint)
        .Set("dockerTls", DeploymentCodec.WriteDockerTls(spec.DockerTls))
        .Set("proxyPort", spec.ProxyPort)
        .Set("sidecar", DeploymentCodec.WriteSidecar(spec.Sidecar))
        .Set("proxyToken", spec.ProxyToken is not { } token ? null : new JsonObject().Set("sha256", token.Sha256).Set("file", token.File));
}
