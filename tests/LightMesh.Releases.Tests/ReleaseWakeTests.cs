using System.Collections.Concurrent;
using LightMesh.Core;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;
using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;
using LightMesh.Releases.Leadership;
using LightMesh.Releases.Runs;

namespace LightMesh.Releases.Tests;

/// <summary>A wake-up lost on its way does not stall a release: a failed one is tried again, and the leader's sweep wakes every due release.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ReleaseWakeTests(EtcdFixture etcd)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Arm_WakeUpFailsOnce_IsTriedAgainAfterTheRetryDelay()
    {
        var time = new FakeTimeProvider(T0);
        var waker = new FlakyWaker(failures: 1);
        using var timers = new ReleaseTimers(waker, time, TimeSpan.FromSeconds(5), EtcdFixture.Logger<ReleaseTimers>(), CancellationToken.None);

        timers.Arm("r1", T0.AddSeconds(10));

        // The clock moves a second at a time, as long as it takes: the first wake-up (at 10 s) fails, the second (5 s later) lands.
        await Poll.UntilAsync(() => { time.Advance(TimeSpan.FromSeconds(1)); return Task.FromResult(waker.Woken.Count); }, n => n == 1, TimeSpan.FromSeconds(10), "the wake-up tried again");
        Assert.Equal(2, waker.Attempts);
        Assert.True(time.GetUtcNow() >= T0.AddSeconds(15));
    }

    /// <summary>
    /// Wake-ups never pile up: each one publishes the release's one wake-up event again. WorkflowCore delivers a release's
    /// events oldest first, one round each, so eighty wake-ups left unprocessed while etcd was away kept a release unwoken.
    /// </summary>
    [Fact]
    public async Task ManyWakeUps_LeaveOneEventPerRelease_UnprocessedWithTheLatestTime()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var events = new DurableExecution.EtcdPersistenceProvider(connection, DurableExecution.WorkflowFence.None, [typeof(Runs.ReleaseRunData)]);
        var time = new FakeTimeProvider(T0);
        var waker = new Runs.WorkflowEventWaker(events, time);

        for (var i = 0; i < 50; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await waker.WakeAsync(i % 5 == 0 ? "other" : "r1", default);
        }

        await events.MarkEventProcessed(Runs.WorkflowEventWaker.EventId("r1"), default);
        time.Advance(TimeSpan.FromSeconds(1));
        await waker.WakeAsync("r1", default);

        Assert.Equal(2, (await connection.RangePrefixAsync(connection.Keys.WorkflowEvents, 0, default)).Count);
        var wake = (await events.GetEvent(Runs.WorkflowEventWaker.EventId("r1"), default))!;
        Assert.False(wake.IsProcessed);
        Assert.Equal(time.GetUtcNow().UtcDateTime, wake.EventTime);

        // Both are delivered once their releases' workflows wait for them.
        foreach (var release in new[] { "other", "r1" })
        {
            await events.CreateEventSubscription(new WorkflowCore.Models.EventSubscription { WorkflowId = release, EventName = Runs.DurableRun.WakeEvent, EventKey = release, SubscribeAsOf = T0.UtcDateTime }, default);
        }

        Assert.Equal(["wake-other", "wake-r1"], (await events.GetRunnableEvents(time.GetUtcNow().UtcDateTime, default)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Sweep_WakesTheReleasesThatAreDue_AndGivesEveryOneItsWorkflow()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var store = new ReleaseStore(connection);
        var time = new FakeTimeProvider(T0.AddMinutes(1));
        var spec = ((ReleaseWorkflow)DocumentParser.Parse(
            "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - pause: {duration: 30s}\n  - setWeight: 50\n",
            "w.yaml").Documents.Single().Document).Spec;
        ReleaseState Pausing(string service, DateTimeOffset start) =>
            ReleaseDecider.Decide(ReleaseDecider.Start(service, service, "v2", "v1", "w", spec, "test", start).State, new StepSucceeded(0), start).State;
        var releases = new[]
        {
            Pausing("overdue", T0),
            Pausing("later", T0.AddMinutes(1)),
            ReleaseDecider.Decide(Pausing("held", T0), new OperatorInput(OperatorAction.Pause, "ops"), T0).State,
            ReleaseDecider.Decide(ReleaseDecider.Start("retrying", "retrying", "v2", "v1", "w", spec, "test", T0).State, new StepInterrupted(0, "node busy", T0.AddMinutes(5)), T0).State,
        };
        foreach (var release in releases)
        {
            Assert.Equal(ReleaseWriteOutcome.Written, await store.CreateAsync(release, null, default));
        }

        var waker = new FlakyWaker(failures: 0);
        var ensured = new ConcurrentBag<string>();
        var sweep = new ReleaseSweep(store, waker, (id, _) => { ensured.Add(id); return Task.CompletedTask; }, time, TimeSpan.FromSeconds(30), EtcdFixture.Logger<ReleaseSweep>());

        Assert.Equal(2, await sweep.SweepAsync(default));
        Assert.Equal(["held", "overdue"], waker.Woken.Order(StringComparer.Ordinal));
        Assert.Equal(["held", "later", "overdue", "retrying"], ensured.Order(StringComparer.Ordinal));
    }

    /// <summary>A waker whose first <c>failures</c> wake-ups fail as etcd away would make them fail.</summary>
    private sealed class FlakyWaker(int failures) : IReleaseWaker
    {
        private int _attempts;

        public int Attempts => _attempts;

        public ConcurrentQueue<string> Woken { get; } = new();

        public Task WakeAsync(string releaseId, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _attempts) <= failures)
            {
                throw new ServerUnreachableException("etcd could not be reached");
            }

            Woken.Enqueue(releaseId);
            return Task.CompletedTask;
        }
    }
}
