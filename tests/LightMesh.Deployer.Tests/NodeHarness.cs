using System.Diagnostics;
using LightMesh.Processes;
using LightMesh.Core.Deployment;
using LightMesh.Core.Parsing;
using LightMesh.Deployer.Engine;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Testing;

namespace LightMesh.Deployer.Tests;

/// <summary>One node (this machine's engine) under its own etcd prefix and compose project, with services on free ports.</summary>
internal sealed class NodeHarness : IAsyncDisposable
{
    private readonly DockerFixture _docker;

    /// <param name="registrarPasswordFile">The registrar's etcd password file the deployer gives services; none when null.</param>
    public NodeHarness(EtcdFixture etcd, DockerFixture docker, string? registrarPasswordFile = null)
    {
        _docker = docker;
        Etcd = etcd.Connect(etcd.NewPrefix());
        Node = $"n{Guid.NewGuid():N}"[..12];
        Store = new DocumentStore(Etcd);
        var options = new DeployerOptions
        {
            EtcdEndpoints = etcd.Endpoint,
            RegistrarPasswordFile = registrarPasswordFile,
            Applier = new ApplierOptions { SettleTime = TimeSpan.FromSeconds(1), StartTimeout = TimeSpan.FromSeconds(30), PollInterval = TimeSpan.FromMilliseconds(100) },
        };
        Deployer = NodeDeployer.ForDocker(Etcd, TimeProvider.System, options);
    }

    public EtcdConnection Etcd { get; }
    public string Node { get; }
    public string Project => ComposePlanner.ProjectName(Node);
    public DocumentStore Store { get; }
    public NodeDeployer Deployer { get; }
    public Dictionary<string, int> Ports { get; } = [];

    public async Task ApplyDocumentsAsync(params string[] yaml)
    {
        var parsed = DocumentParser.Parse(string.Join("\n---\n", [NodeDocument, .. yaml]), "test.yaml");
        Assert.Empty(parsed.Errors);
        var result = await Store.ApplyAsync(parsed.Documents, default);
        Assert.True(result.Outcome == WriteOutcome.Applied, string.Join("; ", result.Errors));
    }

    /// <summary>The node's sidecar image, if it runs one.</summary>
    public string? SidecarImage { get; set; }

    /// <summary>The node's <c>spec.proxyToken</c> (flow YAML), if it has one.</summary>
    public string? ProxyToken { get; set; }

    private string NodeDocument =>
        $"apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {{name: {Node}}}\nspec: {{address: 127.0.0.1, dockerEndpoint: \"{DockerFixture.Endpoint}\"" +
        (SidecarImage is null ? "" : $", sidecar: {{image: \"{SidecarImage}\", adminPort: {LoopbackPort.Free()}}}") +
        (ProxyToken is null ? "" : $", proxyToken: {ProxyToken}") + "}";

    /// <summary>A deployable web service on a free port (the same port every time for the same name).</summary>
    public string Service(string name, string version, string image = DockerFixture.WebImage, string placement = "")
    {
        if (!Ports.TryGetValue(name, out var port))
        {
            // Replicas take the next ports and canaries 100 higher: all of them must be free.
            port = LoopbackPort.FreeRun(3, ComposePlanner.CanaryPortOffset);
            Ports[name] = port;
        }

        return $$"""
            apiVersion: lightmesh.io/v1
            kind: Service
            metadata: {name: {{name}}}
            spec:
              protocol: http
              port: {{port}}
              deploy:
                image: {{image}}
                versions: {stable: {{version}}}
                healthcheck:
                  test: [CMD-SHELL, "wget -q -O- http://127.0.0.1:$PORT/"]
                  interval: 500ms
                  timeout: 1s
                  retries: 10
                stopGracePeriod: 2s
            {{placement}}
            """;
    }

    public Task<DeployResult> ApplyAsync() => Deployer.ApplyAsync(Node, [], null, default);

    /// <summary>Container id by compose service, for every container of the project.</summary>
    public async Task<Dictionary<string, string>> ContainersAsync()
    {
        var list = await _docker.Client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ComposeLabels.Project}={Project}"] = true } },
        });
        return list.ToDictionary(c => c.Labels[ComposeLabels.Service], c => c.ID);
    }

    public async Task<string> GetAsync(string service)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return (await http.GetStringAsync(new Uri($"http://127.0.0.1:{Ports[service]}/"))).Trim();
    }

    /// <summary>Runs Debian's docker-compose against the rendered document, as an operator on the node would.</summary>
    public async Task<string> ComposePsAsync()
    {
        var (_, plan) = await Deployer.RenderAsync(Node, [], default);
        var file = Path.Combine(Directory.CreateTempSubdirectory("lightmesh-compose-").FullName, "docker-compose.yml");
        await File.WriteAllTextAsync(file, plan.Plan!.Yaml);
        var info = new ProcessStartInfo(Executables.Require("docker-compose", "docker-compose"), ["-f", file, "-p", Project, "ps"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, errors);
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        await _docker.RemoveProjectAsync(Project);
        Etcd.Dispose();
    }
}
