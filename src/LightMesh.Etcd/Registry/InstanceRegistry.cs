using LightMesh.Core;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using Microsoft.Extensions.Logging;

namespace LightMesh.Etcd.Registry;

/// <summary>
/// The leased registry of live instances: an instance is written under a lease that its registrar keeps
/// alive, so one whose process dies disappears by itself within the lease's TTL.
/// </summary>
public sealed class InstanceRegistry(EtcdConnection etcd, TimeProvider time, ILogger<InstanceRegistry> logger)
{
    /// <summary>
    /// Registers <paramref name="instance"/> under a new lease of <paramref name="ttl"/> and keeps it alive until the
    /// returned registration is stopped. Fails (with a reason) when the Service does not exist or the id is taken.
    /// </summary>
    public async Task<RegistrationOutcome> RegisterAsync(Instance instance, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (InstanceValidator.Validate(instance) is { Count: > 0 } problems)
        {
            throw new ArgumentException($"invalid instance: {string.Join("; ", problems)}", nameof(instance));
        }

        if (ttl < TimeSpan.FromSeconds(2))
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "the lease TTL must be at least 2s");
        }

        instance = instance with { Labels = InstanceValidator.LabelsWithVersion(instance) };
        var lease = await TryWriteAsync(instance, ttl, cancellationToken);
        if (lease is null)
        {
            return new RegistrationOutcome(null, await DescribeConflictAsync(instance, cancellationToken));
        }

        Telemetry.Log.InstanceRegistered(logger, instance.Service, instance.Id, lease.Value, ttl);
        return new RegistrationOutcome(InstanceRegistration.Start(this, instance, lease.Value, ttl, time, logger), null);
    }

    /// <summary>Grants a lease and writes the instance under it, if its Service exists and its key is free; else revokes the lease.</summary>
    internal async Task<long?> TryWriteAsync(Instance instance, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var lease = (await etcd.LeaseGrantAsync(ttl, cancellationToken)).ID;
        var (succeeded, _) = await new GuardedTxn()
            .Exists(etcd.Keys.Document(DocumentKind.Service, instance.Service))
            .Absent(etcd.Keys.Instance(instance.Service, instance.Id))
            .Put(etcd.Keys.Instance(instance.Service, instance.Id), InstanceCodec.Write(instance), lease)
            .CommitAsync(etcd, cancellationToken);
        if (succeeded)
        {
            return lease;
        }

        await etcd.LeaseRevokeAsync(lease, cancellationToken);
        return null;
    }

    internal EtcdConnection Etcd => etcd;

    /// <summary>The live instances of <paramref name="service"/>, with each lease's time left.</summary>
    public Task<IReadOnlyList<LiveInstance>> ListAsync(string service, CancellationToken cancellationToken) =>
        ListPrefixAsync(etcd.Keys.Instances(service), cancellationToken);

    /// <summary>The live instances of every service.</summary>
    public Task<IReadOnlyList<LiveInstance>> ListAllAsync(CancellationToken cancellationToken) =>
        ListPrefixAsync(etcd.Keys.AllInstances, cancellationToken);

    private async Task<IReadOnlyList<LiveInstance>> ListPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var response = await etcd.RangePrefixAsync(prefix, 0, cancellationToken);
        var instances = new List<LiveInstance>();
        foreach (var kv in response.Kvs)
        {
            var instance = InstanceCodec.Read(kv.Value.ToStringUtf8())
                ?? throw new LightMeshException($"stored instance at {kv.Key.ToStringUtf8()} is not valid JSON of an instance");
            var ttl = kv.Lease == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Max(0, (await etcd.LeaseTimeToLiveAsync(kv.Lease, cancellationToken)).TTL));
            instances.Add(new LiveInstance(instance, kv.Lease, ttl));
        }

        return instances;
    }

    private async Task<string> DescribeConflictAsync(Instance instance, CancellationToken cancellationToken)
    {
        if ((await etcd.GetAsync(etcd.Keys.Document(DocumentKind.Service, instance.Service), cancellationToken)).Count == 0)
        {
            return $"no Service named \"{instance.Service}\"; apply it first";
        }

        var existing = await etcd.GetAsync(etcd.Keys.Instance(instance.Service, instance.Id), cancellationToken);
        if (existing.Count == 0)
        {
            return $"instance {instance.Service}/{instance.Id} changed while registering; try again";
        }

        var ttl = (await etcd.LeaseTimeToLiveAsync(existing.Kvs[0].Lease, cancellationToken)).TTL;
        return $"instance {instance.Service}/{instance.Id} is already registered (its lease expires in {Math.Max(ttl, 0)}s unless kept alive)";
    }
}
