using LightMesh.Etcd;
using LightMesh.Testing;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class DurabilityTests(EtcdFixture etcd) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly string _prefix = etcd.NewPrefix();
    private readonly List<EtcdConnection> _connections = [];

    public void Dispose() => _connections.ForEach(c => c.Dispose());

    [Fact]
    public async Task Host_StoppedWhileWaitingForAnEvent_ASecondHostFinishesTheWorkflow()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var store = new EtcdPersistenceProvider(Connect(), WorkflowFence.None, [typeof(GateData)]);
        string id;

        await using (var first = await RunningHost.StartAsync(Connect(), "host-a", timeout.Token))
        {
            id = await first.Host.StartWorkflow("gate", new GateData { Key = "checkout" });
            await Poll.UntilAsync(
                () => store.GetWorkflowInstance(id, timeout.Token),
                w => w!.ExecutionPointers.Any(p => p.Status == PointerStatus.WaitingForEvent),
                Deadline,
                "the workflow to sleep, then wait for its event");
        }

        var waiting = (await store.GetWorkflowInstance(id, timeout.Token))!;
        var slept = waiting.ExecutionPointers.Single(p => p.StepId == 0);
        Assert.Equal(WorkflowStatus.Runnable, waiting.Status);
        Assert.True(slept.EndTime - slept.StartTime >= SleepOnce.Nap, $"the first step ran from {slept.StartTime:O} to {slept.EndTime:O}");
        Assert.Single(await store.GetSubscriptions("go", "checkout", DateTime.UtcNow, timeout.Token));

        await using (var second = await RunningHost.StartAsync(Connect(), "host-b", timeout.Token))
        {
            await second.Host.PublishEvent("go", "checkout", "opened");
            var done = await Poll.UntilAsync(
                () => store.GetWorkflowInstance(id, timeout.Token),
                w => w!.Status == WorkflowStatus.Complete,
                Deadline,
                "the second host to finish the workflow");

            Assert.Equal("opened", ((GateData)done!.Data).Received);
        }

        Assert.Empty(await store.GetSubscriptions("go", "checkout", DateTime.UtcNow, timeout.Token));
    }

    private EtcdConnection Connect()
    {
        var connection = etcd.Connect(_prefix);
        _connections.Add(connection);
        return connection;
    }
}
