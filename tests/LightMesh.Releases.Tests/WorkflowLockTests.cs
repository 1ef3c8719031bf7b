using LightMesh.Core.Releases;
using LightMesh.Etcd;
using LightMesh.Testing;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A release whose workflow lock another controller still held when the release was first due (a controller that died
/// a moment ago, its lease not yet lapsed) runs as soon as the lock lapses, not minutes later.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class WorkflowLockTests(EtcdFixture etcd) : ControllerTestBase(etcd)
{
    [Fact]
    public async Task Release_WorkflowLockedByADeadControllersLease_RunsOnceTheLeaseLapses()
    {
        await H.ServiceAsync("iota", "  - deploy: {}\n  - setWeight: 20\n  - pause: {}\n  - promote: {}");
        const string id = "iota-v2-locked";
        var lease = await H.Etcd.LeaseGrantAsync(TimeSpan.FromSeconds(3), default);
        var key = H.Etcd.Keys.WorkflowLock(id);
        Assert.True((await new GuardedTxn().Put(key, "a controller that died", lease.ID).CommitAsync(H.Etcd, default)).Succeeded);

        var started = await H.Releases.StartAsync(new StartRequest { Service = "iota", Version = "v2", Workflow = "iota-flow", Actor = "test", Id = id }, default);
        Assert.Equal(ReleaseOutcome.Done, started.Outcome);

        // The lock lapses after 3 s; the workflow engine must try again within seconds (its own grey list kept it five minutes).
        var paused = await H.WaitAsync(id, r => r.Phase == ReleasePhase.Paused, "the pause step, once the lock lapsed", seconds: 20);
        Assert.Equal(2, paused.Step);
    }
}
