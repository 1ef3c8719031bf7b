using LightMesh.Etcd.Leadership;
using LightMesh.Testing;

namespace LightMesh.DurableExecution.Tests;

/// <summary>
/// A workflow lock released while etcd is away: the release waits for etcd and then deletes the lock, so the workflow
/// (or the poll) it guards is not kept waiting for the rest of the leader's term. Its own etcd, which the test stops.
/// </summary>
public sealed class LockOutageTests : IAsyncLifetime
{
    private readonly EtcdFixture _etcd = new();

    public Task InitializeAsync() => _etcd.InitializeAsync();

    public Task DisposeAsync() => _etcd.DisposeAsync();

    [Theory]
    [InlineData("w1")]
    [InlineData("poll runnables")]
    public async Task ReleaseLock_WhileEtcdIsAway_DeletesTheLockOnceEtcdIsBack(string id)
    {
        using var connection = _etcd.Connect(_etcd.NewPrefix());
        await using var term = (await new LeaderElection(connection, "test", TimeProvider.System).TryLeadAsync("a", TimeSpan.FromSeconds(20), default))!;
        var leader = new EtcdDistributedLockProvider(connection, WorkflowFence.Of(term), "a");
        Assert.True(await leader.AcquireLock(id, default));

        await _etcd.Server.StopAsync();
        var releasing = leader.ReleaseLock(id);

        // Longer than a request may take (the fixture's connections give up after 5 s), shorter than the term's lease.
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.False(releasing.IsCompleted, $"the release of the lock ended while etcd could not delete it: {releasing.Exception?.InnerException?.Message}");
        await _etcd.Server.RestartAsync();
        await releasing.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, (await connection.GetAsync(connection.Keys.WorkflowLock(id), default)).Count);
        Assert.True(await new EtcdDistributedLockProvider(connection, WorkflowFence.None, "b").AcquireLock(id, default));
    }
}
