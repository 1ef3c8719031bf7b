using LightMesh.Etcd;
using LightMesh.Testing;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class RunnableInstancesTests(EtcdFixture etcd) : IDisposable
{
    private static readonly DateTime Now = new(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private EtcdPersistenceProvider Store => new(_connection, WorkflowFence.None, []);

    [Fact]
    public async Task GetRunnableInstances_MixedNextExecutions_ReturnsOnlyTheDueOnes()
    {
        await Create("overdue", Now.AddMinutes(-1).Ticks);
        await Create("now", 0);
        await Create("exactly", Now.Ticks);
        await Create("later", Now.AddHours(1).Ticks);
        await Create("waiting", null);

        var runnable = await Store.GetRunnableInstances(Now, default);

        Assert.Equal(["now", "overdue", "exactly"], runnable);
    }

    [Fact]
    public async Task GetRunnableInstances_AskedInLocalTime_ComparesInUtc()
    {
        await Create("overdue", Now.AddMinutes(-1).Ticks);

        Assert.Equal(["overdue"], await Store.GetRunnableInstances(Now.ToLocalTime(), default));
    }

    [Fact]
    public async Task PersistWorkflow_NextExecutionCleared_LeavesTheRunnableIndex()
    {
        var workflow = await Create("w1", 0);
        Assert.Equal(["w1"], await Store.GetRunnableInstances(Now, default));

        workflow.NextExecution = null;
        await Store.PersistWorkflow(workflow, default);

        Assert.Empty(await Store.GetRunnableInstances(Now, default));
        Assert.Equal(0, (await _connection.RangePrefixAsync(_connection.Keys.RunnableWorkflows, 0, default)).Count);
        Assert.Null((await Store.GetWorkflowInstance("w1", default))!.NextExecution);
    }

    [Fact]
    public async Task PersistWorkflow_WithSubscriptions_StoresThemWithNewIds()
    {
        var workflow = await Create("w1", 0);
        var subscription = new EventSubscription { WorkflowId = "w1", EventName = "go", EventKey = "checkout", SubscribeAsOf = Now };

        await Store.PersistWorkflow(workflow, [subscription], default);

        Assert.False(string.IsNullOrEmpty(subscription.Id));
        Assert.Equal("w1", (await Store.GetSubscription(subscription.Id, default))!.WorkflowId);
    }

    private async Task<WorkflowInstance> Create(string id, long? nextExecution)
    {
        var workflow = new WorkflowInstance { Id = id, NextExecution = nextExecution, Status = WorkflowStatus.Runnable };
        await Store.CreateNewWorkflow(workflow, default);
        return workflow;
    }
}
