using LightMesh.Core.Mesh;
using LightMesh.Core.Parsing;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Testing;

namespace LightMesh.Discovery.Tests;

/// <summary>One test's own mesh in the shared etcd: a fresh prefix holding the <c>demo</c> Service, and what is registered there.</summary>
internal sealed class Mesh : IDisposable
{
    public const string Service = "demo";

    private Mesh(EtcdFixture etcd, string prefix)
    {
        Etcd = etcd;
        Prefix = prefix;
        Connection = etcd.Connect(prefix);
        Registry = new InstanceRegistry(Connection, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
    }

    public EtcdFixture Etcd { get; }
    public string Prefix { get; }
    public EtcdConnection Connection { get; }
    public InstanceRegistry Registry { get; }

    public EtcdOptions EtcdOptions => new() { Endpoints = Etcd.Endpoint, Prefix = Prefix };

    /// <summary>A fresh prefix; with <paramref name="withService"/>, the demo Service applied as a user would.</summary>
    public static async Task<Mesh> CreateAsync(EtcdFixture etcd, bool withService = true)
    {
        var mesh = new Mesh(etcd, etcd.NewPrefix());
        if (withService)
        {
            await mesh.ApplyServiceAsync();
        }

        return mesh;
    }

    public async Task ApplyServiceAsync()
    {
        var parsed = DocumentParser.Parse(TestMeshes.Service(Service, protocol: "grpc"), "demo.yaml");
        Assert.Empty(parsed.Errors);
        var written = await new DocumentStore(Connection).ApplyAsync(parsed.Documents.ToList(), default);
        Assert.Equal(WriteOutcome.Applied, written.Outcome);
    }

    public async Task<IReadOnlyList<Instance>> InstancesAsync() =>
        (await Registry.ListAsync(Service, default)).Select(live => live.Instance).ToList();

    /// <summary>Waits until the instance <paramref name="id"/> is registered, and returns it.</summary>
    public async Task<Instance> WaitForInstanceAsync(string id, TimeSpan timeout) =>
        (await Poll.UntilAsync(InstancesAsync, list => list.Any(i => i.Id == id), timeout, $"{Service}/{id} to be registered"))
            .Single(i => i.Id == id);

    /// <summary>Waits until no instance <paramref name="id"/> is registered.</summary>
    public Task WaitForNoInstanceAsync(string id, TimeSpan timeout) =>
        Poll.UntilAsync(InstancesAsync, list => list.All(i => i.Id != id), timeout, $"{Service}/{id} to be gone");

    public void Dispose() => Connection.Dispose();
}
