using LightMesh.Etcd;
using LightMesh.Etcd.Leadership;
using LightMesh.Testing;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class FenceTests(EtcdFixture etcd) : IDisposable
{
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private Task<LeaderTerm?> LeadAsync() => new LeaderElection(_connection, "test", TimeProvider.System).TryLeadAsync("a", TimeSpan.FromSeconds(5), default);

    [Fact]
    public async Task PersistWorkflow_AfterTheTermEnds_ThrowsNotLeaderAndChangesNothing()
    {
        var term = (await LeadAsync())!;
        var fenced = new EtcdPersistenceProvider(_connection, WorkflowFence.Of(term), []);
        var workflow = new WorkflowInstance { Id = "w1", Reference = "written by the leader", NextExecution = 0 };
        await fenced.CreateNewWorkflow(workflow, default);

        await term.DisposeAsync();
        workflow.Reference = "written after resigning";
        workflow.NextExecution = null;
        var subscription = new EventSubscription { WorkflowId = "w1", EventName = "go", EventKey = "k" };
        var error = await Assert.ThrowsAsync<NotLeaderException>(() => fenced.PersistWorkflow(workflow, [subscription], default));

        Assert.Contains($"term at revision {term.Revision}", error.Message, StringComparison.Ordinal);
        var unfenced = new EtcdPersistenceProvider(_connection, WorkflowFence.None, []);
        Assert.Equal("written by the leader", (await unfenced.GetWorkflowInstance("w1", default))!.Reference);
        Assert.Equal(["w1"], await unfenced.GetRunnableInstances(DateTime.UtcNow, default));
        Assert.Empty(await unfenced.GetSubscriptions("go", "k", DateTime.MaxValue, default));
    }

    [Fact]
    public async Task AcquireLock_AfterTheTermEnds_ThrowsNotLeader()
    {
        var term = (await LeadAsync())!;
        var locks = new EtcdDistributedLockProvider(_connection, WorkflowFence.Of(term), "a");

        await term.DisposeAsync();

        await Assert.ThrowsAsync<NotLeaderException>(() => locks.AcquireLock("w1", default));
        Assert.Equal(0, (await _connection.GetAsync(_connection.Keys.WorkflowLock("w1"), default)).Count);
    }

    [Fact]
    public async Task CreateEvent_UnderTheCurrentTerm_IsWritten()
    {
        await using var term = (await LeadAsync())!;
        var fenced = new EtcdPersistenceProvider(_connection, WorkflowFence.Of(term), []);

        var id = await fenced.CreateEvent(new Event { EventName = "go", EventKey = "k", EventTime = DateTime.UtcNow }, default);

        Assert.NotNull(await fenced.GetEvent(id, default));
    }
}
