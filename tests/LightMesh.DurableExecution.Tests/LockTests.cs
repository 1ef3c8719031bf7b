using LightMesh.Etcd;
using LightMesh.Etcd.Leadership;
using LightMesh.Testing;

namespace LightMesh.DurableExecution.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class LockTests(EtcdFixture etcd) : IDisposable
{
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private EtcdDistributedLockProvider Locks(string owner, WorkflowFence? fence = null) => new(_connection, fence ?? WorkflowFence.None, owner);

    [Fact]
    public async Task AcquireLock_HeldByAnotherOwner_FailsUntilReleased()
    {
        var a = Locks("a");
        var b = Locks("b");
        Assert.True(await a.AcquireLock("w1", default));

        Assert.False(await b.AcquireLock("w1", default));
        Assert.False(await a.AcquireLock("w1", default));
        await a.ReleaseLock("w1");

        Assert.True(await b.AcquireLock("w1", default));
        Assert.StartsWith("b ", (await _connection.GetAsync(_connection.Keys.WorkflowLock("w1"), default)).Kvs[0].Value.ToStringUtf8(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleaseLock_ByAnOwnerThatDoesNotHoldIt_LeavesTheLock()
    {
        var a = Locks("a");
        await a.AcquireLock("w1", default);

        await Locks("b").ReleaseLock("w1");

        Assert.False(await Locks("b").AcquireLock("w1", default));
    }

    [Fact]
    public async Task Stop_ReleasesEveryLockTheProviderHolds()
    {
        var a = Locks("a");
        await a.AcquireLock("w1", default);
        await a.AcquireLock("evt:e1", default);

        await a.Stop();

        Assert.Equal(0, (await _connection.RangePrefixAsync(_connection.Keys.WorkflowLock(""), 0, default)).Count);
    }

    [Fact]
    public async Task AcquireLock_UnderATerm_DisappearsWhenTheLeaseIsRevoked()
    {
        await using var term = (await new LeaderElection(_connection, "test", TimeProvider.System).TryLeadAsync("a", TimeSpan.FromSeconds(5), default))!;
        var leader = Locks("a", WorkflowFence.Of(term));
        Assert.True(await leader.AcquireLock("w1", default));
        Assert.False(await Locks("b").AcquireLock("w1", default));

        await _connection.LeaseRevokeAsync(term.Lease, default);

        Assert.True(await Locks("b").AcquireLock("w1", default));
    }
}
