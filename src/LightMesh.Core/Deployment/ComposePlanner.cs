using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LightMesh.Core.Mesh;
using LightMesh.Core.Parsing;

namespace LightMesh.Core.Deployment;

/// <summary>
/// Plans what each node runs, as a docker-compose document (format 2.4, host networking). Pure and deterministic:
/// the same nodes, services and canaries give byte-identical YAML, whose hash is the node's revision.
/// </summary>
public static class ComposePlanner
{
    /// <summary>Canary replicas listen this far above the service's port; stable replicas on the port and up.</summary>
    public const int CanaryPortOffset = 100;

    public const string SidecarService = "envoy";

    /// <summary>
    /// What a planned container's <c>LIGHTMESH_ETCD_PASSWORD</c> holds in place of the registrar's password: plans,
    /// their YAML and the node revisions kept in etcd never hold it; the engine puts it in when it makes the container.
    /// </summary>
    public const string EtcdPasswordPlaceholder = "${lightmesh-etcd-password}";
    public static readonly TimeSpan DefaultStopGracePeriod = TimeSpan.FromSeconds(10);

    public static string ProjectName(string node) => $"lightmesh-{node}";

    /// <summary>True when <paramref name="service"/> is placed on <paramref name="node"/>.</summary>
    public static bool RunsOn(MeshService service, MeshNode node) => service.Spec.Deploy switch
    {
        null => false,
        { Nodes: { } nodes } => nodes.Contains(node.Name),
        { NodeSelector: { } selector } => selector.All(l => node.Spec.Labels?.TryGetValue(l.Key, out var v) == true && v == l.Value),
        _ => true,
    };

    /// <param name="sidecarBootstrap">The Envoy bootstrap (JSON) for this node's sidecar; used only if the node has one.</param>
    /// <param name="etcdUser">
    /// The etcd user services register as (the registrar, never the controller), given as <c>LIGHTMESH_ETCD_USER</c>
    /// with <see cref="EtcdPasswordPlaceholder"/> for its password; null for an etcd without authentication.
    /// </param>
    public static PlanResult Plan(MeshNode node, IReadOnlyList<MeshService> services, IReadOnlyList<CanaryDeployment> canaries, string etcdEndpoints, string sidecarBootstrap, string? etcdUser = null)
    {
        var errors = new List<string>();
        var containers = new List<PlannedContainer>();
        foreach (var service in services.Where(s => RunsOn(s, node)).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var deploy = service.Spec.Deploy!;
            AddReplicas(containers, node, service, deploy.StableVersion, deploy.EffectiveReplicas, 0, null, etcdEndpoints, etcdUser);
            foreach (var canary in canaries.Where(c => c.Service == service.Name))
            {
                if (canary.Version == deploy.StableVersion && !canary.Promoted)
                {
                    errors.Add($"{service.Name}: canary version {canary.Version} is already the stable version");
                    continue;
                }

                AddReplicas(containers, node, service, canary.Version, canary.Replicas, CanaryPortOffset, canary.Release, etcdEndpoints, etcdUser);
            }
        }

        if (node.Spec.Sidecar is { } sidecar)
        {
            containers.Add(Sidecar(node, sidecar, sidecarBootstrap));
        }

        CheckPorts(node, containers, errors);
        if (errors.Count > 0)
        {
            return new PlanResult(null, errors);
        }

        var yaml = Render(containers);
        return new PlanResult(new NodePlan(node.Name, ProjectName(node.Name), containers, yaml, Hash(yaml)[..12]), []);
    }

    private static void AddReplicas(List<PlannedContainer> containers, MeshNode node, MeshService service, string version, int replicas, int portOffset, string? release, string etcdEndpoints, string? etcdUser)
    {
        var deploy = service.Spec.Deploy!;
        for (var replica = 1; replica <= replicas; replica++)
        {
            var port = service.Spec.Port + portOffset + replica - 1;
            var portText = port.ToString(CultureInfo.InvariantCulture);
            var env = new SortedDictionary<string, string>(deploy.Env?.ToDictionary() ?? [], StringComparer.Ordinal)
            {
                ["PORT"] = portText,
                ["LIGHTMESH_PORT"] = portText,
                ["LIGHTMESH_SERVICE"] = service.Name,
                ["LIGHTMESH_VERSION"] = version,
                ["LIGHTMESH_NODE"] = node.Name,
                ["LIGHTMESH_ADDRESS"] = node.Spec.Address,
                ["LIGHTMESH_ETCD"] = etcdEndpoints,
            };
            if (etcdUser is not null)
            {
                env["LIGHTMESH_ETCD_USER"] = etcdUser;
                env["LIGHTMESH_ETCD_PASSWORD"] = EtcdPasswordPlaceholder;
            }

            if (node.Spec.Sidecar is not null)
            {
                env["LIGHTMESH_PROXY"] = $"127.0.0.1:{node.Spec.EffectiveProxyPort}";
            }

            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["io.lightmesh.node"] = node.Name,
                ["io.lightmesh.service"] = service.Name,
                ["io.lightmesh.version"] = version,
            };
            if (release is not null)
            {
                labels["io.lightmesh.release"] = release;
            }

            containers.Add(Finish(new PlannedContainer
            {
                // Canary containers have names of their own, so a promoted canary can serve beside the new stable
                // containers of the same version while they start.
                ComposeService = portOffset == 0 ? $"{service.Name}-{version}-{replica}" : $"{service.Name}-{version}-canary-{replica}",
                Service = service.Name, Version = version, Replica = replica, Port = port,
                Image = $"{deploy.Image}:{version}", Command = deploy.Command, Env = env, Labels = labels,
                Healthcheck = deploy.Healthcheck, Cpus = deploy.Cpus, MemoryBytes = MemoryBytes(deploy.Memory),
                StopGracePeriod = deploy.StopGracePeriod?.Value ?? DefaultStopGracePeriod, ConfigHash = "",
            }));
        }
    }

    private static PlannedContainer Sidecar(MeshNode node, SidecarSpec sidecar, string bootstrap) => Finish(new PlannedContainer
    {
        ComposeService = SidecarService, Service = "", Version = "", Replica = 1, Port = 0, Image = sidecar.Image,
        Command = ["envoy", "--config-yaml", bootstrap, "--log-level", "info"],
        Env = new SortedDictionary<string, string>(StringComparer.Ordinal),
        Labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["io.lightmesh.node"] = node.Name, ["io.lightmesh.sidecar"] = "envoy" },
        StopGracePeriod = DefaultStopGracePeriod, ConfigHash = "",
    });

    private static void CheckPorts(MeshNode node, List<PlannedContainer> containers, List<string> errors)
    {
        var owners = new Dictionary<int, string>();
        if (node.Spec.Sidecar is { } sidecar)
        {
            owners[node.Spec.EffectiveProxyPort] = "the Envoy proxy port";
            owners[sidecar.EffectiveAdminPort] = "the Envoy admin port";
        }

        foreach (var container in containers.Where(c => c.Port != 0))
        {
            if (!owners.TryAdd(container.Port, container.ComposeService))
            {
                errors.Add($"node {node.Name}: port {container.Port} would be used by both {owners[container.Port]} and {container.ComposeService}");
            }
        }
    }

    /// <summary>Sets the config hash from the container's compose entry.</summary>
    private static PlannedContainer Finish(PlannedContainer container) =>
        container with { ConfigHash = Hash(Entry(container).ToJsonString()) };

    private static string Render(IEnumerable<PlannedContainer> containers)
    {
        var services = new JsonObject();
        foreach (var container in containers.OrderBy(c => c.ComposeService, StringComparer.Ordinal))
        {
            var entry = Entry(container);
            ((JsonObject)entry["labels"]!)["com.docker.compose.config-hash"] = container.ConfigHash;
            services[container.ComposeService] = entry;
        }

        return YamlText.WriteOne(new JsonObject { ["version"] = "2.4", ["services"] = services });
    }

    private static JsonObject Entry(PlannedContainer container)
    {
        var entry = new JsonObject
        {
            ["image"] = container.Image,
            ["network_mode"] = "host",
            ["restart"] = "unless-stopped",
        };
        if (container.Command is { } command)
        {
            entry["command"] = new JsonArray(command.Select(c => (JsonNode?)JsonValue.Create(Escape(c))).ToArray());
        }

        if (container.Env.Count > 0)
        {
            entry["environment"] = new JsonObject(container.Env.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(Escape(e.Value)))));
        }

        entry["labels"] = new JsonObject(container.Labels.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value))));
        if (container.Healthcheck is { } health)
        {
            var check = new JsonObject { ["test"] = new JsonArray(health.Test.Select(t => (JsonNode?)JsonValue.Create(Escape(t))).ToArray()) };
            AddDuration(check, "interval", health.Interval?.Value);
            AddDuration(check, "timeout", health.Timeout?.Value);
            if (health.Retries is { } retries)
            {
                check["retries"] = retries;
            }

            AddDuration(check, "start_period", health.StartPeriod?.Value);
            entry["healthcheck"] = check;
        }

        if (container.Cpus is { } cpus)
        {
            entry["cpus"] = cpus;
        }

        if (container.MemoryBytes is { } memory)
        {
            entry["mem_limit"] = memory;
        }

        AddDuration(entry, "stop_grace_period", container.StopGracePeriod);
        return entry;
    }

    private static void AddDuration(JsonObject obj, string field, TimeSpan? value)
    {
        if (value is { } span)
        {
            obj[field] = span.TotalMilliseconds % 1000 == 0
                ? $"{(long)span.TotalSeconds}s"
                : $"{(long)span.TotalMilliseconds}ms";
        }
    }

    /// <summary>
    /// Compose substitutes <c>$VAR</c> from the environment it runs in; a value meant literally for the container
    /// (a shell healthcheck's <c>$PORT</c>) is written <c>$$</c>, which compose turns back into <c>$</c>.
    /// </summary>
    private static string Escape(string value) => value.Replace("$", "$$", StringComparison.Ordinal);

    /// <summary>Bytes from compose's memory syntax (<c>128m</c>).</summary>
    public static long? MemoryBytes(string? memory)
    {
        if (memory is null)
        {
            return null;
        }

        var unit = char.IsDigit(memory[^1]) ? 'b' : memory[^1];
        var number = long.Parse(char.IsDigit(memory[^1]) ? memory : memory[..^1], CultureInfo.InvariantCulture);
        return unit switch { 'k' => number << 10, 'm' => number << 20, 'g' => number << 30, _ => number };
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
