using LightMesh.Processes;
using LightMesh.ControlPlane.Hosting;
using LightMesh.ControlPlane.Publishing;
using LightMesh.Core.Mesh;
using LightMesh.Core.Routing;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Testing;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Tests;

/// <summary>A control plane on loopback ports over its own etcd prefix, with helpers to change the mesh as users do.</summary>
internal sealed class ControlPlaneHarness : IAsyncDisposable
{
    /// <summary>checkout and payments over gRPC, and checkout's routes: canary testers to v2, everyone else 90/10 between v1 and v2.</summary>
    public static readonly string Checkout = CheckoutWithSubsets("v1", "v2");

    /// <summary><see cref="Checkout"/> with a subset for each of these versions.</summary>
    public static string CheckoutWithSubsets(params string[] versions) => TestMeshes.Join(
        TestMeshes.Service("checkout", protocol: "grpc"),
        TestMeshes.Service("payments", 9090, "grpc"),
        TestMeshes.Rule("checkout", [.. versions]),
        TestMeshes.CanaryRoutes("checkout", 90, 10));

    /// <summary>A Node on this machine naming <paramref name="token"/> as its proxy token, to append to other documents.</summary>
    public static string NodeWithToken(string name, string token) =>
        $"\n---\napiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {{name: {name}}}\nspec: {{address: 127.0.0.1, proxyToken: {{sha256: {Core.Security.TokenHash.HexOf(token)}}}}}\n";

    private readonly List<InstanceRegistration> _registrations = [];
    private bool _serverStopped;

    private ControlPlaneHarness(EtcdConnection etcd, XdsServer server)
    {
        Etcd = etcd;
        Server = server;
        Store = new DocumentStore(etcd);
        Registry = new InstanceRegistry(etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
    }

    public EtcdConnection Etcd { get; }
    public XdsServer Server { get; private set; }
    public DocumentStore Store { get; }
    public InstanceRegistry Registry { get; }
    public int XdsPort => Server.Options.ListenEndpoint.Port;

    /// <summary>The live registration of the instance listening on <paramref name="port"/>.</summary>
    public InstanceRegistration RegistrationOn(int port) => _registrations.Single(r => r.Instance.Port == port);

    /// <param name="documents">The mesh to start with; <see cref="Checkout"/> when null.</param>
    /// <param name="debounceQuiet">The least time between two of the control plane's pushes.</param>
    /// <param name="log">Where the control plane's log goes, for tests of what it logs; nowhere when null.</param>
    /// <param name="allowAnonymous">Serve streams that show no proxy token, as most tests' clients do; false for tests of proxy tokens.</param>
    /// <param name="translation">How the control plane builds its snapshots; <see cref="MeshTranslator.Translate"/> when null.</param>
    public static async Task<ControlPlaneHarness> StartAsync(
        EtcdFixture fixture, string? documents = null, TimeSpan? debounceQuiet = null, LogLines? log = null, bool allowAnonymous = true, MeshTranslation? translation = null)
    {
        var etcd = fixture.Connect(fixture.NewPrefix());
        Assert.Equal(WriteOutcome.Applied, (await new DocumentStore(etcd).ApplyAsync(TestMeshes.Parse(documents ?? Checkout), default)).Outcome);
        var options = new XdsServerOptions { Listen = $"127.0.0.1:{LoopbackPort.Free()}", Admin = $"127.0.0.1:{LoopbackPort.Free()}", AllowAnonymous = allowAnonymous, Name = "first" };
        if (debounceQuiet is { } quiet)
        {
            options.DebounceQuiet = quiet;
        }

        var server = await XdsServer.StartAsync(
            etcd.Options, options, log is null ? null : logging => logging.AddProvider(log), translation is null ? null : services => services.AddSingleton(translation), default);
        return new ControlPlaneHarness(etcd, server);
    }

    /// <summary>Registers an instance under a real lease, as a service would.</summary>
    public async Task<InstanceRegistration> RegisterAsync(string service, string version, int port, TimeSpan? ttl = null)
    {
        var outcome = await Registry.RegisterAsync(
            new Instance { Service = service, Id = $"{version}-{port}", Version = version, Address = "127.0.0.1", Port = port },
            ttl ?? TimeSpan.FromSeconds(30),
            default);
        Assert.True(outcome.Succeeded, outcome.Conflict);
        _registrations.Add(outcome.Registration!);
        return outcome.Registration!;
    }

    /// <summary>Parses and applies documents as a user would; returns the write's revision.</summary>
    public async Task<long> ApplyAsync(string documents)
    {
        var result = await Store.ApplyAsync(TestMeshes.Parse(documents), default);
        Assert.Equal(WriteOutcome.Applied, result.Outcome);
        return result.Revision;
    }

    /// <summary>Stops the control plane, as a crash or a redeploy would; what etcd holds stays.</summary>
    public async Task StopServerAsync()
    {
        await Server.DisposeAsync();
        _serverStopped = true;
    }

    /// <summary>Starts the control plane again on the same ports, reading the mesh from etcd afresh.</summary>
    public async Task StartServerAsync()
    {
        Server = await XdsServer.StartAsync(Etcd.Options, Server.Options, null, default);
        _serverStopped = false;
    }

    /// <summary>
    /// Another control plane on the same etcd prefix, on ports of its own: a second controller, serving the same mesh.
    /// The caller disposes it.
    /// </summary>
    /// <param name="name">Its name among the controllers; each needs its own.</param>
    /// <param name="reportTtl">The lease of its report of its proxies: how long after it freezes or dies the others count them as unknown.</param>
    public Task<XdsServer> StartAnotherServerAsync(string name = "second", TimeSpan? reportTtl = null) =>
        XdsServer.StartAsync(
            Etcd.Options,
            new XdsServerOptions
            {
                Listen = $"127.0.0.1:{LoopbackPort.Free()}", Admin = $"127.0.0.1:{LoopbackPort.Free()}", AllowAnonymous = Server.Options.AllowAnonymous, Name = name,
                ReportTtl = reportTtl ?? Server.Options.ReportTtl,
            },
            null,
            default);

    /// <summary>Sets the primary route's weights with the guarded write releases use; returns the write's revision.</summary>
    public async Task<long> SetWeightsAsync(int v1, int v2)
    {
        var result = await Store.SetWeightsAsync("checkout", "primary", [new SubsetWeight("v1", v1), new SubsetWeight("v2", v2)], default);
        Assert.Equal(WriteOutcome.Applied, result.Outcome);
        return result.Revision;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var registration in _registrations)
        {
            await registration.DisposeAsync();
        }

        if (!_serverStopped)
        {
            await Server.DisposeAsync();
        }

        Etcd.Dispose();
    }
}
