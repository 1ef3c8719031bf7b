using LightMesh.Core;
using LightMesh.Etcd;
using LightMesh.Testing;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class PersistenceRoundTripTests(EtcdFixture etcd) : IDisposable
{
    private static readonly DateTime T0 = new(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private EtcdPersistenceProvider Store => new(_connection, WorkflowFence.None, [typeof(Canary)]);

    [Fact]
    public async Task CreateNewWorkflow_ThenGet_KeepsEveryFieldAndTypedValues()
    {
        var pointer = new ExecutionPointer
        {
            Id = "p1",
            StepId = 2,
            Active = true,
            SleepUntil = T0.AddMinutes(5),
            PersistenceData = new Canary("checkout", 25, T0),
            StartTime = T0,
            EndTime = T0.AddSeconds(3),
            EventName = "go",
            EventKey = "checkout",
            EventPublished = true,
            EventData = "opened",
            ExtensionAttributes = new Dictionary<string, object> { ["attempt"] = 3, ["ratio"] = 0.5m, ["at"] = new DateTimeOffset(T0), ["wait"] = TimeSpan.FromSeconds(90) },
            StepName = "shift",
            RetryCount = 1,
            Children = ["c1", "c2"],
            ContextItem = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
            PredecessorId = "p0",
            Outcome = true,
            Status = PointerStatus.WaitingForEvent,
            Scope = ["p0", "root"],
        };
        var workflow = new WorkflowInstance
        {
            WorkflowDefinitionId = "release",
            Version = 3,
            Description = "canary of checkout",
            Reference = "r-42",
            ExecutionPointers = new ExecutionPointerCollection([pointer, new ExecutionPointer { Id = "p2", PersistenceData = 7L }]),
            NextExecution = T0.Ticks,
            Status = WorkflowStatus.Suspended,
            Data = new Canary("checkout", 10, T0),
            CreateTime = T0,
            CompleteTime = T0.AddHours(1),
        };

        var id = await Store.CreateNewWorkflow(workflow, default);
        var stored = (await Store.GetWorkflowInstance(id, default))!;

        Assert.Equal(32, id.Length);
        Assert.Equal((id, "release", 3, "canary of checkout", "r-42"), (stored.Id, stored.WorkflowDefinitionId, stored.Version, stored.Description, stored.Reference));
        Assert.Equal((T0.Ticks, WorkflowStatus.Suspended, T0, T0.AddHours(1)), (stored.NextExecution, stored.Status, stored.CreateTime, stored.CompleteTime));
        Assert.Equal(new Canary("checkout", 10, T0), stored.Data);
        Assert.Equal(["p1", "p2"], stored.ExecutionPointers.Select(p => p.Id));
        Assert.Equal(7L, stored.ExecutionPointers.FindById("p2").PersistenceData);
        AssertSame(pointer, stored.ExecutionPointers.FindById("p1"));
        Assert.Single(stored.ExecutionPointers.FindByScope("root"));
    }

    [Fact]
    public async Task GetWorkflowInstance_UnknownTypeInStoredJson_ThrowsNamingTheTypeAndKey()
    {
        var key = _connection.Keys.WorkflowInstance("evil");
        await new GuardedTxn().Put(key, """{"id":"evil","data":{"type":"Contoso.Payload","value":{}},"executionPointers":[]}""").CommitAsync(_connection, default);

        var error = await Assert.ThrowsAsync<LightMeshException>(() => Store.GetWorkflowInstance("evil", default));

        Assert.Contains("Contoso.Payload", error.Message, StringComparison.Ordinal);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetWorkflowInstance_DataStoredUnderAFormerName_IsReadAsTheTypeNow()
    {
        var key = _connection.Keys.WorkflowInstance("before-upgrade");
        await new GuardedTxn().Put(key, """{"id":"before-upgrade","data":{"type":"LightMesh.Old.Ticket","value":{"number":7}},"executionPointers":[]}""").CommitAsync(_connection, default);
        var store = new EtcdPersistenceProvider(_connection, WorkflowFence.None, [typeof(Ticket)]);

        var stored = await store.GetWorkflowInstance("before-upgrade", default);

        Assert.Equal(new Ticket(7), stored!.Data);
    }

    [Fact]
    public async Task CreateNewWorkflow_UnregisteredDataType_ThrowsAndStoresNothing()
    {
        var workflow = new WorkflowInstance { Id = "w1", Data = new Uri("http://127.0.0.1/") };

        var error = await Assert.ThrowsAsync<LightMeshException>(() => Store.CreateNewWorkflow(workflow, default));

        Assert.Contains("System.Uri", error.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetWorkflowInstance("w1", default));
    }

    [Fact]
    public async Task CreateNewWorkflow_IdAlreadyStored_DoesNotOverwrite()
    {
        await Store.CreateNewWorkflow(new WorkflowInstance { Id = "w1", Reference = "first" }, default);

        await Assert.ThrowsAsync<LightMeshException>(() => Store.CreateNewWorkflow(new WorkflowInstance { Id = "w1", Reference = "second" }, default));

        Assert.Equal("first", (await Store.GetWorkflowInstance("w1", default))!.Reference);
    }

    private static void AssertSame(ExecutionPointer expected, ExecutionPointer actual)
    {
        Assert.Equal((expected.Id, expected.StepId, expected.Active, expected.SleepUntil), (actual.Id, actual.StepId, actual.Active, actual.SleepUntil));
        Assert.Equal(expected.PersistenceData, actual.PersistenceData);
        Assert.Equal((expected.StartTime, expected.EndTime), (actual.StartTime, actual.EndTime));
        Assert.Equal((expected.EventName, expected.EventKey, expected.EventPublished), (actual.EventName, actual.EventKey, actual.EventPublished));
        Assert.Equal(expected.EventData, actual.EventData);
        Assert.Equal(expected.ExtensionAttributes, actual.ExtensionAttributes);
        Assert.Equal((expected.StepName, expected.RetryCount, expected.PredecessorId, expected.Status), (actual.StepName, actual.RetryCount, actual.PredecessorId, actual.Status));
        Assert.Equal(expected.Children, actual.Children);
        Assert.Equal(expected.ContextItem, actual.ContextItem);
        Assert.Equal(expected.Outcome, actual.Outcome);
        Assert.Equal(expected.Scope, actual.Scope);
    }
}
