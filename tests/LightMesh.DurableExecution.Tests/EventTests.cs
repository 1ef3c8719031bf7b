using LightMesh.Etcd;
using LightMesh.Testing;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class EventTests(EtcdFixture etcd) : IDisposable
{
    private static readonly DateTime T0 = new(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private EtcdPersistenceProvider Store => new(_connection, WorkflowFence.None, [typeof(Canary)]);

    [Fact]
    public async Task GetRunnableEvents_EffectiveDateInTheFuture_WaitsUntilItComes()
    {
        await Subscribe("go", "checkout", T0);
        var id = await Publish("go", "checkout", T0);

        Assert.Empty(await Store.GetRunnableEvents(T0.AddSeconds(-1), default));
        Assert.Equal([id], await Store.GetRunnableEvents(T0, default));
    }

    [Fact]
    public async Task MarkEventProcessed_ThenUnprocessed_LeavesAndRejoinsTheRunnableEvents()
    {
        await Subscribe("go", "checkout", T0);
        var id = await Publish("go", "checkout", T0);

        await Store.MarkEventProcessed(id, default);
        Assert.Empty(await Store.GetRunnableEvents(T0, default));
        Assert.True((await Store.GetEvent(id, default))!.IsProcessed);

        await Store.MarkEventUnprocessed(id, default);
        Assert.Equal([id], await Store.GetRunnableEvents(T0, default));
        Assert.Equal(new Canary("checkout", 50, T0), (await Store.GetEvent(id, default))!.EventData);
    }

    [Fact]
    public async Task GetRunnableEvents_OnlyEventsASubscriptionWaitsFor()
    {
        // A wake-up for a workflow that has ended, or that began its wait after the wake-up: WorkflowCore would take
        // it up again every poll and never process it.
        var orphan = await Publish("wake", "ended", T0);
        await Subscribe("wake", "later", T0.AddSeconds(1));
        var stale = await Publish("wake", "later", T0);
        await Subscribe("wake", "waiting", T0);
        var taken = await Publish("wake", "waiting", T0.AddSeconds(1));

        var runnable = await Store.GetRunnableEvents(T0.AddMinutes(1), default);

        Assert.Equal([taken], runnable);
        Assert.DoesNotContain(orphan, runnable);
        Assert.DoesNotContain(stale, runnable);

        // A subscription made later takes what is stored from its effective date on.
        await Subscribe("wake", "ended", T0);
        Assert.Equal(new[] { orphan, taken }.Order(), (await Store.GetRunnableEvents(T0.AddMinutes(1), default)).Order());
    }

    [Fact]
    public async Task GetRunnableEvents_ManyWaits_EveryTakenEventOldestFirst()
    {
        // Many names and keys, each with its wait and its event, among events nobody waits for (wake-ups of ended
        // releases) and a processed one.
        var taken = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            await Subscribe("wake", $"r{i}", T0);
            await Publish("wake", $"ended{i}", T0);
            taken.Add(await Publish("wake", $"r{i}", T0.AddSeconds(i % 7)));
        }

        await Store.MarkEventProcessed(taken[0], default);

        Assert.Equal(taken.Skip(1), await Store.GetRunnableEvents(T0.AddMinutes(1), default));
    }

    [Fact]
    public async Task GetRunnableEvents_NamesAndKeysOfAnyCharacters_AreMatchedExactly()
    {
        await Subscribe("wake up/now", "team a/r 1%2F", T0);
        var taken = await Publish("wake up/now", "team a/r 1%2F", T0);
        await Publish("wake up/now", "team a/r 1", T0);

        Assert.Equal([taken], await Store.GetRunnableEvents(T0, default));
    }

    [Fact]
    public async Task GetRunnableEvents_AnActivitysResult_IsTakenWhileAWaitOfItsNameAndKeyIsOpen()
    {
        // An activity's result is published under its subscription's name and key; WorkflowCore hands it to that
        // subscription by id, whatever the wait's date.
        var result = await Store.CreateEvent(
            new Event { EventName = Event.EventTypeActivity, EventKey = "check", EventTime = T0, EventData = new ActivityResult { SubscriptionId = "s", Status = ActivityResult.StatusType.Success } },
            default);
        Assert.Empty(await Store.GetRunnableEvents(T0.AddMinutes(1), default));

        await Subscribe(Event.EventTypeActivity, "check", T0.AddSeconds(30));

        Assert.Equal([result], await Store.GetRunnableEvents(T0.AddMinutes(1), default));
    }

    [Fact]
    public async Task GetEvents_ByNameKeyAndAsOf_ReturnsProcessedOnesTooButNotOlderOnes()
    {
        var early = await Publish("go", "checkout", T0);
        var late = await Publish("go", "checkout", T0.AddMinutes(1));
        await Publish("go", "payments", T0);
        await Publish("stop", "checkout", T0);
        await Store.MarkEventProcessed(late, default);

        Assert.Equal([early, late], await Store.GetEvents("go", "checkout", DateTime.MinValue, default));
        Assert.Equal([late], await Store.GetEvents("go", "checkout", T0.AddSeconds(1), default));
    }

    [Fact]
    public async Task MarkEventProcessed_UnknownEvent_DoesNothing()
    {
        await Store.MarkEventProcessed("missing", default);

        Assert.Null(await Store.GetEvent("missing", default));
    }

    [Fact]
    public async Task PurgeAsync_DeletesOnlyProcessedOrUnwantedEventsAndFinishedWorkflowsPastRetention()
    {
        var spent = await Publish("wake", "a", T0);
        await Subscribe("wake", "b", T0);
        var pending = await Publish("wake", "b", T0);
        var recent = await Publish("wake", "c", T0.AddHours(2));
        var orphan = await Publish("wake", "d", T0);
        var recentOrphan = await Publish("wake", "e", T0.AddHours(2));
        await Store.MarkEventProcessed(spent, default);
        await Store.MarkEventProcessed(recent, default);
        var done = await Store.CreateNewWorkflow(new WorkflowInstance { WorkflowDefinitionId = "w", Status = WorkflowStatus.Complete, CreateTime = T0, CompleteTime = T0 }, default);
        var running = await Store.CreateNewWorkflow(new WorkflowInstance { WorkflowDefinitionId = "w", Status = WorkflowStatus.Runnable, CreateTime = T0, NextExecution = 0 }, default);

        var purged = await Store.PurgeAsync(T0.AddHours(1), default);

        Assert.Equal((2, 1, 0), (purged.Events, purged.Workflows, purged.Errors));
        Assert.Empty(purged.Unreadable);
        Assert.Null(await Store.GetEvent(spent, default));
        Assert.Null(await Store.GetEvent(orphan, default));
        Assert.NotNull(await Store.GetEvent(recentOrphan, default));
        Assert.NotNull(await Store.GetEvent(pending, default));
        Assert.NotNull(await Store.GetEvent(recent, default));
        Assert.Null(await Store.GetWorkflowInstance(done, default));
        Assert.NotNull(await Store.GetWorkflowInstance(running, default));
    }

    [Fact]
    public async Task PurgeAsync_RecordsItCannotRead_AreKeptAndNamed_TheRestPurged()
    {
        // Records of a data type this version does not know, as a newer version may leave them.
        const string Unknown = "{\"eventName\":\"wake\",\"eventKey\":\"x\",\"eventData\":{\"type\":\"Some.Newer.Type\",\"value\":{}}}";
        var orphan = await Publish("wake", "d", T0);
        var done = await Store.CreateNewWorkflow(new WorkflowInstance { WorkflowDefinitionId = "w", Status = WorkflowStatus.Complete, CreateTime = T0, CompleteTime = T0 }, default);
        var badEvent = _connection.Keys.WorkflowEvent("unreadable");
        var badWorkflow = _connection.Keys.WorkflowInstance("unreadable");
        await new GuardedTxn().Put(badEvent, Unknown).Put(badWorkflow, "not json").CommitAsync(_connection, default);

        var purged = await Store.PurgeAsync(T0.AddHours(1), default);

        Assert.Equal((1, 1), (purged.Events, purged.Workflows));
        Assert.Equal([badEvent, badWorkflow], purged.Unreadable);
        Assert.Null(await Store.GetEvent(orphan, default));
        Assert.Null(await Store.GetWorkflowInstance(done, default));
        Assert.Equal(2, (await _connection.RangePrefixesAsync([badEvent, badWorkflow], default)).Count);
    }

    [Fact]
    public async Task PurgeAsync_WhileASubscriptionCannotBeRead_KeepsEveryUnprocessedEvent()
    {
        // It might wait for any of them; a processed one is purged all the same.
        var orphan = await Publish("wake", "d", T0);
        var spent = await Publish("wake", "e", T0);
        await Store.MarkEventProcessed(spent, default);
        var badSubscription = _connection.Keys.WorkflowSubscription("unreadable");
        await new GuardedTxn().Put(badSubscription, "not json").CommitAsync(_connection, default);

        var purged = await Store.PurgeAsync(T0.AddHours(1), default);

        Assert.Equal([badSubscription], purged.Unreadable);
        Assert.Equal(1, purged.Events);
        Assert.NotNull(await Store.GetEvent(orphan, default));
        Assert.Null(await Store.GetEvent(spent, default));
    }

    private Task<string> Subscribe(string name, string key, DateTime asOf) =>
        Store.CreateEventSubscription(new EventSubscription { WorkflowId = "w", EventName = name, EventKey = key, SubscribeAsOf = asOf }, default);

    private Task<string> Publish(string name, string key, DateTime time) =>
        Store.CreateEvent(new Event { EventName = name, EventKey = key, EventTime = time, EventData = new Canary(key, 50, T0) }, default);
}
