using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LightMesh.Core.Deployment;
using LightMesh.Core.Mesh;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Reads and writes what deployment adds to documents: a Service's <c>deploy</c>, a Node's sidecar and Docker TLS.</summary>
internal static partial class DeploymentCodec
{
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex(@"^[0-9]+[bkmg]?$", RegexOptions.CultureInvariant)]
    private static partial Regex MemoryPattern();

    /// <summary>Environment variables the planner sets itself; a service may not set them.</summary>
    public static readonly IReadOnlySet<string> ReservedEnv = new HashSet<string>(StringComparer.Ordinal)
    {
        "PORT", "LIGHTMESH_PORT", "LIGHTMESH_SERVICE", "LIGHTMESH_VERSION", "LIGHTMESH_NODE", "LIGHTMESH_ETCD",
        "LIGHTMESH_PROXY", "LIGHTMESH_ADDRESS", "LIGHTMESH_XDS", "LIGHTMESH_ETCD_USER", "LIGHTMESH_ETCD_PASSWORD",
    };

    /// <summary>True for an image repository without a tag or digest (<c>ghcr.io/acme/checkout</c>, <c>localhost:5000/app</c>).</summary>
    public static bool IsImageRepository(string image) => ImageReference.IsRepository(image);

    public static string? CheckVersion(string version) =>
        ImageReference.IsTag(version) && Names.CheckLabelValue(version) is null
            ? null
            : $"\"{version}\" must be an image tag (letters, digits, '_', '.', '-'; at most 63)";

    public static ServiceDeployment? ReadDeploy(ReadContext context, JsonObject spec)
    {
        const string path = "spec.deploy";
        var obj = context.OptionalObject(spec, "spec", "deploy", "image", "versions", "replicas", "placement", "env", "command", "healthcheck", "resources", "stopGracePeriod");
        if (obj is null)
        {
            return null;
        }

        var image = context.String(obj, path, "image", required: true);
        if (image is not null && !ImageReference.IsRepository(image))
        {
            context.Error($"{path}.image", $"\"{image}\" must be an image repository without a tag (the tag is the version)");
        }

        string? stable = null;
        if (context.OptionalObject(obj, path, "versions", "stable") is { } versions)
        {
            stable = context.String(versions, $"{path}.versions", "stable", required: true);
            if (stable is not null && CheckVersion(stable) is { } problem)
            {
                context.Error($"{path}.versions.stable", problem);
            }
        }
        else if (!ReadContext.Present(obj, "versions"))
        {
            context.Error($"{path}.versions", "is required (versions.stable names the version serving now)");
        }

        var replicas = context.Int(obj, path, "replicas", 0, 50);
        IReadOnlyList<string>? nodes = null;
        IReadOnlyDictionary<string, string>? selector = null;
        if (context.OptionalObject(obj, path, "placement", "nodes", "nodeSelector") is { } placement)
        {
            nodes = ReadContext.Present(placement, "nodes") ? context.StringList(placement, $"{path}.placement", "nodes", Names.CheckDns1123Label, required: true) : null;
            selector = context.StringMap(placement, $"{path}.placement", "nodeSelector", Names.CheckLabelKey, Names.CheckLabelValue);
            if (nodes is not null && selector is not null)
            {
                context.Error($"{path}.placement", "set nodes or nodeSelector, not both");
            }
        }

        var env = context.StringMap(obj, path, "env", CheckEnvName, _ => null);
        var command = ReadContext.Present(obj, "command") ? context.StringList(obj, path, "command", _ => null, required: true) : null;
        var healthcheck = ReadHealthcheck(context, obj, path);
        double? cpus = null;
        string? memory = null;
        if (context.OptionalObject(obj, path, "resources", "cpus", "memory") is { } resources)
        {
            cpus = ReadCpus(context, resources, $"{path}.resources");
            memory = context.String(resources, $"{path}.resources", "memory");
            if (memory is not null && !MemoryPattern().IsMatch(memory))
            {
                context.Error($"{path}.resources.memory", $"\"{memory}\" must be bytes or a number with b, k, m or g (e.g. 128m)");
            }
        }

        var grace = context.Duration(obj, path, "stopGracePeriod", TimeSpan.Zero);
        return image is null || stable is null ? null : new ServiceDeployment
        {
            Image = image, StableVersion = stable, Replicas = replicas, Nodes = nodes, NodeSelector = selector,
            Env = env, Command = command, Healthcheck = healthcheck, Cpus = cpus, Memory = memory, StopGracePeriod = grace,
        };
    }

    private static string? CheckEnvName(string name) =>
        !EnvNamePattern().IsMatch(name) ? $"\"{name}\" is not an environment variable name"
        : ReservedEnv.Contains(name) ? $"\"{name}\" is set by LightMesh itself"
        : null;

    private static double? ReadCpus(ReadContext context, JsonObject resources, string path)
    {
        if (!ReadContext.Present(resources, "cpus"))
        {
            return null;
        }

        if (resources["cpus"] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) is var cpus and > 0 and <= 1024)
        {
            return cpus;
        }

        context.Error($"{path}.cpus", "must be a number of CPUs above 0, e.g. 0.5");
        return null;
    }

    private static HealthCheck? ReadHealthcheck(ReadContext context, JsonObject deploy, string deployPath)
    {
        var obj = context.OptionalObject(deploy, deployPath, "healthcheck", "test", "interval", "timeout", "retries", "startPeriod");
        if (obj is null)
        {
            return null;
        }

        var path = $"{deployPath}.healthcheck";
        var test = context.StringList(obj, path, "test", _ => null, required: true);
        if (test.Count > 0 && test[0] is not ("CMD" or "CMD-SHELL" or "NONE"))
        {
            context.Error($"{path}.test[0]", $"\"{test[0]}\" must be CMD, CMD-SHELL or NONE");
        }

        var oneMillisecond = TimeSpan.FromMilliseconds(1);
        return new HealthCheck
        {
            Test = test,
            Interval = context.Duration(obj, path, "interval", oneMillisecond),
            Timeout = context.Duration(obj, path, "timeout", oneMillisecond),
            Retries = context.Int(obj, path, "retries", 0, 1000),
            StartPeriod = context.Duration(obj, path, "startPeriod", TimeSpan.Zero),
        };
    }

    public static SidecarSpec? ReadSidecar(ReadContext context, JsonObject spec)
    {
        var obj = context.OptionalObject(spec, "spec", "sidecar", "image", "adminPort");
        if (obj is null)
        {
            return null;
        }

        var image = context.String(obj, "spec.sidecar", "image", required: true);
        if (image is not null && ImageReference.TryParse(image, out var problem) is null)
        {
            context.Error("spec.sidecar.image", problem!);
            image = null;
        }

        var adminPort = context.Int(obj, "spec.sidecar", "adminPort", 1, 65535);
        return image is null ? null : new SidecarSpec { Image = image, AdminPort = adminPort };
    }

    public static DockerTls? ReadDockerTls(ReadContext context, JsonObject spec)
    {
        var obj = context.OptionalObject(spec, "spec", "dockerTls", "caFile", "certFile", "keyFile");
        if (obj is null)
        {
            return null;
        }

        var ca = context.String(obj, "spec.dockerTls", "caFile", required: true);
        var cert = context.String(obj, "spec.dockerTls", "certFile", required: true);
        var key = context.String(obj, "spec.dockerTls", "keyFile", required: true);
        return ca is null || cert is null || key is null ? null : new DockerTls { CaFile = ca, CertFile = cert, KeyFile = key };
    }

    public static JsonObject? WriteDeploy(ServiceDeployment? deploy) => deploy is null ? null : new JsonObject()
        .Set("image", deploy.Image)
        .Set("versions", new JsonObject().Set("stable", deploy.StableVersion))
        .Set("replicas", deploy.Replicas)
        .Set("placement", deploy.Nodes is null && deploy.NodeSelector is null ? null : new JsonObject()
            .Set("nodes", deploy.Nodes, n => JsonValue.Create(n))
            .Set("nodeSelector", deploy.NodeSelector))
        .Set("env", deploy.Env)
        .Set("command", deploy.Command, c => JsonValue.Create(c))
        .Set("healthcheck", deploy.Healthcheck is not { } h ? null : new JsonObject()
            .Set("test", h.Test, t => JsonValue.Create(t))
            .Set("interval", h.Interval?.Text).Set("timeout", h.Timeout?.Text).Set("retries", h.Retries).Set("startPeriod", h.StartPeriod?.Text))
        .Set("resources", deploy.Cpus is null && deploy.Memory is null ? null : new JsonObject().SetNumber("cpus", deploy.Cpus).Set("memory", deploy.Memory))
        .Set("stopGracePeriod", deploy.StopGracePeriod?.Text);

    public static JsonObject? WriteSidecar(SidecarSpec? sidecar) =>
        sidecar is null ? null : new JsonObject().Set("image", sidecar.Image).Set("adminPort", sidecar.AdminPort);

    public static JsonObject? WriteDockerTls(DockerTls? tls) =>
        tls is null ? null : new JsonObject().Set("caFile", tls.CaFile).Set("certFile", tls.CertFile).Set("keyFile", tls.KeyFile);
}
