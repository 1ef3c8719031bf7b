using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Core.Security;
using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>
/// The local stack (docker-compose.yml and deploy/) hangs together: docker-compose accepts it, everything it mounts or
/// builds from is in the repository, Prometheus accepts its configuration and holds a token the controller accepts,
/// and mesh-init's script really applies the mesh and writes Envoy's bootstrap. No image is pulled or built.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class LocalStackTests(EtcdFixture etcd) : IDisposable
{
    private static readonly string[] Expected = ["etcd", "mesh-init", "controller", "envoy", "demo-v1", "demo-client", "prometheus", "grafana"];

    private readonly string _dir = Directory.CreateTempSubdirectory("lightmesh-stack-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task DockerCompose_Config_AcceptsTheStackAndEveryFileItUsesIsInTheRepository()
    {
        var stack = await ComposeStack.ResolveAsync();

        Assert.Empty(Expected.Except(stack.ServiceNames));
        foreach (var service in stack.ServiceNames)
        {
            Assert.True(stack.Scalar(service, "network_mode") == "host", $"{service} is not on the host's network");
            foreach (var (path, _) in stack.HostMounts(service))
            {
                Assert.True(path.StartsWith(Repository.Root + "/", StringComparison.Ordinal), $"{service} mounts {path}, outside the repository");
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{service} mounts {path}, which does not exist");
            }

            if (stack.Build(service) is var (context, dockerfile))
            {
                Assert.True(Directory.Exists(context), $"{service} builds from {context}, which does not exist");
                Assert.True(File.Exists(dockerfile), $"{service} builds with {dockerfile}, which does not exist");
            }
            else
            {
                Assert.Matches(@"^[^:]+:v?\d[\w.-]*$", stack.Scalar(service, "image"));
            }
        }

        Assert.Equal(
            [(Repository.Root, Path.Combine(Repository.Root, "Dockerfile")), (Repository.Root, Path.Combine(Repository.Root, "src/LightMesh.Demo.Service/Dockerfile"))],
            new[] { "controller", "demo-v1" }.Select(s => stack.Build(s)!.Value));
    }

    [Fact]
    public async Task PrometheusConfig_Promtool_AcceptsItAndItsTokenIsTheControllersViewer()
    {
        var config = Path.Combine(Repository.Root, "deploy", "prometheus", "prometheus.yml");
        var check = await RunAsync(new ProcessStartInfo(Executables.Require("promtool", "prometheus"), ["check", "config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        });
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("1 rule files found", check.Stdout, StringComparison.Ordinal);

        // Prometheus sends the file's content without surrounding white space; the controller knows only its hash.
        var stack = await ComposeStack.ResolveAsync();
        var token = (await File.ReadAllTextAsync(Path.Combine(Repository.Root, "deploy", "prometheus", "lightmesh-token"))).Trim();
        var index = Enumerable.Range(0, 8).First(i => stack.Environment("controller", $"LightMesh__Auth__Tokens__{i}__Sha256") == TokenHash.HexOf(token));
        Assert.Equal("viewer", stack.Environment("controller", $"LightMesh__Auth__Tokens__{index}__Role"));

        // It asks the controller where the controller listens.
        var listen = new Uri(stack.Command("controller").Single(a => a.StartsWith("--listen=", StringComparison.Ordinal))["--listen=".Length..]);
        var text = await File.ReadAllTextAsync(config);
        Assert.Contains($"url: {new Uri(listen, "api/v1/sd/prometheus")}", text, StringComparison.Ordinal);
        Assert.Contains($"targets: [\"{listen.Authority}\"]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MeshInit_RunTwiceAgainstEtcd_AppliesTheMeshOnceAndWritesEnvoysBootstrap()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("mesh-init's script runs in a POSIX shell");
        }

        var prefix = etcd.NewPrefix();
        var (config, bootstrap, bin) = (Path.Combine(_dir, "config"), Path.Combine(_dir, "bootstrap"), Path.Combine(_dir, "bin"));
        foreach (var d in new[] { config, bootstrap, bin })
        {
            Directory.CreateDirectory(d);
        }

        // The container's layout: what docker-compose.yml mounts into mesh-init under /etc/lightmesh, linked.
        var stack = await ComposeStack.ResolveAsync();
        foreach (var (source, target) in stack.HostMounts("mesh-init").Where(m => m.Target.StartsWith("/etc/lightmesh/", StringComparison.Ordinal)))
        {
            var link = Path.Combine(config, target["/etc/lightmesh/".Length..]);
            _ = Directory.Exists(source) ? Directory.CreateSymbolicLink(link, source) : File.CreateSymbolicLink(link, source);
        }

        var lightmesh = Path.Combine(bin, "lightmesh");
        await File.WriteAllTextAsync(lightmesh, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "lightmesh.dll")}' \"$@\" --etcd {etcd.Endpoint} --prefix {prefix}\n");
        File.SetUnixFileMode(lightmesh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Task<Result> Lightmesh(params string[] args) => RunAsync([.. args, "--etcd", etcd.Endpoint, "--prefix", prefix]);

        var first = await InitAsync(config, bootstrap, bin);

        // A release moves the demo's weights; running mesh-init again (docker compose up) must leave them.
        var canary = Path.Combine(_dir, "canary.yaml");
        await File.WriteAllTextAsync(canary, "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: demo}\nspec:\n  host: demo\n  subsets:\n  - {name: stable, labels: {version: v1}}\n  - {name: canary, labels: {version: v2}}\n");
        Assert.Equal(0, (await Lightmesh("apply", "-f", canary)).ExitCode);
        Assert.Equal(0, (await Lightmesh("weights", "demo", "stable=80", "canary=20")).ExitCode);
        var second = await InitAsync(config, bootstrap, bin);

        Assert.Contains("Node/local created", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("ReleaseWorkflow/quick created", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("VirtualService/demo created", first.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("created", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("Service/demo unchanged", second.Stdout, StringComparison.Ordinal);
        var routes = JsonNode.Parse((await Lightmesh("get", "vs", "demo", "-o", "json")).Stdout)!["spec"]!["http"]![0]!["route"]!.AsArray();
        Assert.Equal([("stable", 80), ("canary", 20)], routes.Select(r => (r!["destination"]!["subset"]!.GetValue<string>(), r["weight"]!.GetValue<int>())));

        var envoy = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bootstrap, "envoy.json")))!;
        Assert.Equal("local", envoy["node"]!["id"]!.GetValue<string>());
        Assert.Equal(9901, envoy["admin"]!["address"]!["socket_address"]!["port_value"]!.GetValue<int>());
        var xds = envoy["static_resources"]!["clusters"]![0]!["load_assignment"]!["endpoints"]![0]!["lb_endpoints"]![0]!["endpoint"]!["address"]!["socket_address"]!;
        Assert.Equal("127.0.0.1:18000", $"{xds["address"]}:{xds["port_value"]}");
        Assert.False(File.Exists(Path.Combine(bootstrap, "envoy.json.tmp")));

        // The demo's LIGHTMESH_PROXY is the port the node's Envoy listens on, which is where demo-client sends.
        var node = JsonNode.Parse((await Lightmesh("get", "node", "local", "-o", "json")).Stdout)!;
        var proxy = $"127.0.0.1:{node["spec"]!["proxyPort"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture)}";
        Assert.Equal(proxy, stack.Environment("demo-v1", "LIGHTMESH_PROXY"));
        Assert.Contains($"-x http://{proxy} ", stack.Text, StringComparison.Ordinal);
    }

    private static async Task<Result> InitAsync(string config, string bootstrap, string bin)
    {
        var info = new ProcessStartInfo("sh", [Path.Combine(config, "init.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        info.Environment["LIGHTMESH_STACK_CONFIG"] = config;
        info.Environment["LIGHTMESH_STACK_BOOTSTRAP"] = bootstrap;
        info.Environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
        var result = await RunAsync(info);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
