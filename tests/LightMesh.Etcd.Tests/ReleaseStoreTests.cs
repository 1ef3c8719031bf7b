using System.Text.Json;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.Testing;

namespace LightMesh.Etcd.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class ReleaseStoreTests(EtcdFixture etcd) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private ReleaseStore Store => new(_connection);

    private static ReleaseDecision Start(string id, string service = "checkout")
    {
        var spec = ((ReleaseWorkflow)DocumentParser.Parse(
            "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {replicas: 2}\n  - setWeight: 10\n  - pause: {duration: 1m}\n  - analysis: {templates: [t], args: {a: b}}\n  - webhook: {url: 'http://127.0.0.1:1/check', expectStatus: 204}\n  - promote: {}\n",
            "w.yaml").Documents.Single().Document).Spec;
        return ReleaseDecider.Start(id, service, "v2", "v1", "w", spec, "ci", T0);
    }

    [Fact]
    public async Task Create_ThenGet_KeepsTheWholeStateAndMarksItActive()
    {
        var decision = ReleaseDecider.Decide(Start("r1").State, new StepSucceeded(0), T0.AddSeconds(5));

        Assert.Equal(ReleaseWriteOutcome.Written, await Store.CreateAsync(decision.State, null, default));

        var (stored, _) = await Store.GetAsync("r1", default);
        Assert.Equal(JsonSerializer.Serialize(decision.State.Spec, JsonSerializerOptions.Web), JsonSerializer.Serialize(stored!.Spec, JsonSerializerOptions.Web));
        Assert.IsType<WebhookStep>(stored.Spec.Steps[4]);
        Assert.Equal(decision.State.Events, stored.Events);
        Assert.Equal(1, stored.Step);
        Assert.Equal("r1", await Store.ActiveAsync("checkout", default));
    }

    [Fact]
    public async Task Create_SecondReleaseOfTheService_IsAConflict()
    {
        Assert.Equal(ReleaseWriteOutcome.Written, await Store.CreateAsync(Start("r1").State, null, default));

        Assert.Equal(ReleaseWriteOutcome.Conflict, await Store.CreateAsync(Start("r2").State, null, default));
        Assert.Equal(ReleaseWriteOutcome.Written, await Store.CreateAsync(Start("r3", "payments").State, null, default));
    }

    [Fact]
    public async Task Save_StaleRevision_IsAConflict_AndAFinishedReleaseStopsBeingActive()
    {
        var start = Start("r1").State;
        await Store.CreateAsync(start, null, default);
        var (_, revision) = await Store.GetAsync("r1", default);
        var aborted = ReleaseDecider.Decide(start, new OperatorInput(OperatorAction.Abort, "ops"), T0.AddSeconds(1)).State;
        Assert.Equal(ReleaseWriteOutcome.Written, await Store.SaveAsync(aborted, revision, null, default));

        Assert.Equal(ReleaseWriteOutcome.Conflict, await Store.SaveAsync(aborted, revision, null, default));

        var (_, now) = await Store.GetAsync("r1", default);
        var finished = Enum.GetValues<RollbackMove>().Aggregate(aborted, (state, move) => ReleaseDecider.Decide(state, new RollbackMoved(move), T0.AddSeconds(2)).State);
        Assert.Equal(ReleaseWriteOutcome.Written, await Store.SaveAsync(finished, now, null, default));
        Assert.Null(await Store.ActiveAsync("checkout", default));
        Assert.Equal(ReleasePhase.Aborted, (await Store.GetAsync("r1", default)).State!.Phase);
    }

    [Fact]
    public async Task Save_ByADeposedLeader_IsRefusedAsNotLeader()
    {
        var election = new LeaderElection(_connection, "controller", TimeProvider.System);
        var deposed = (await election.TryLeadAsync("a", TimeSpan.FromSeconds(2), default))!;
        var start = Start("r1").State;
        Assert.Equal(ReleaseWriteOutcome.Written, await Store.CreateAsync(start, deposed, default));
        var (_, revision) = await Store.GetAsync("r1", default);
        await deposed.AbandonAsync();
        await using var current = await election.CampaignAsync("b", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100), new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);

        var next = ReleaseDecider.Decide(start, new StepSucceeded(0), T0.AddSeconds(1)).State;

        Assert.Equal(ReleaseWriteOutcome.NotLeader, await Store.SaveAsync(next, revision, deposed, default));
        Assert.Equal(ReleaseWriteOutcome.Written, await Store.SaveAsync(next, revision, current, default));
    }
}
