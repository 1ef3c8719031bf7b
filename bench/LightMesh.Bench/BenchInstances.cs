using LightMesh.Core.Mesh;
using LightMesh.Etcd;
using LightMesh.Etcd.Registry;

namespace LightMesh.Bench;

/// <summary>
/// Registers the instances a benchmark's releases find, as a service's own registration would, under one lease the
/// benchmark keeps alive: so a subset always has endpoints and every <c>deploy</c> step finds its new version running.
/// </summary>
internal sealed class BenchInstances(EtcdConnection etcd, long lease)
{
    private int _port;

    /// <summary>One live instance of <paramref name="version"/> of each of <paramref name="services"/>, in one transaction.</summary>
    public async Task RegisterAsync(IEnumerable<string> services, string version, CancellationToken cancellationToken)
    {
        var txn = new GuardedTxn();
        foreach (var service in services)
        {
            var instance = Instance(service, version);
            txn.Put(etcd.Keys.Instance(service, instance.Id), InstanceCodec.Write(instance), lease);
        }

        await txn.CommitAsync(etcd, cancellationToken);
    }

    private Instance Instance(string service, string version) => new()
    {
        Service = service, Id = $"{service}-{version}", Version = version, Address = "127.0.0.1",
        Port = 30000 + (Interlocked.Increment(ref _port) % 30000), Labels = new Dictionary<string, string> { ["version"] = version },
    };
}
