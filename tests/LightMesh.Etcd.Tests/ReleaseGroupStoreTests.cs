using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.Testing;

namespace LightMesh.Etcd.Tests;

/// <summary>Group releases in etcd: one active group per service, no lone release of a member, member starts guarded by the group.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ReleaseGroupStoreTests(EtcdFixture etcd) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly ReleaseWorkflowSpec Canary = new() { Steps = [new DeployStep(null), new SetWeightStep(50), new PromoteStep()] };
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private ReleaseGroupStore Groups => new(_connection);

    private ReleaseStore Releases => new(_connection);

    private static ReleaseGroupState Group(string id, params string[] services) => ReleaseGroupDecider.Start(
        id, "shop",
        new ReleaseGroupSpec { Members = [.. services.Select((s, i) => new GroupMember(s, "canary", i == 0 ? [] : [services[i - 1]]))], Gate = new WeightGate(50) },
        services.ToDictionary(s => s, _ => "v2"), "ci", T0);

    private static ReleaseState Release(string id, string service, string? group = null) =>
        ReleaseDecider.Start(id, service, "v2", "v1", "canary", Canary, "ci", T0).State with { Group = group };

    [Fact]
    public async Task Create_KeepsTheWholeGroup_AndHoldsItsServices_UntilItEnds()
    {
        var group = Group("shop-1", "payments", "checkout");
        Assert.Equal(ReleaseWriteOutcome.Written, await Groups.CreateAsync(group, default));

        var (stored, revision) = await Groups.GetAsync("shop-1", default);
        Assert.Equal(new WeightGate(50), stored!.Spec.Gate);
        Assert.Equal(group.Members, stored.Members);
        Assert.Equal(group.Events, stored.Events);
        Assert.Equal("shop-1", await Groups.ActiveGroupOfAsync("checkout", default));
        Assert.Equal(["shop-1"], await Groups.ActiveIdsAsync(default));

        // Another group, or a lone release, of a member is refused while it runs.
        Assert.Equal(ReleaseWriteOutcome.Conflict, await Groups.CreateAsync(Group("other", "search", "checkout"), default));
        Assert.Equal(ReleaseWriteOutcome.Conflict, await Releases.CreateAsync(Release("lone", "payments"), null, default));
        Assert.Null(await Groups.ActiveGroupOfAsync("search", default));

        var ended = stored with { Phase = GroupPhase.RolledBack, EndedAt = T0 };
        Assert.Equal(ReleaseWriteOutcome.Written, (await Groups.SaveAsync(ended, revision, null, default)).Outcome);
        Assert.Null(await Groups.ActiveGroupOfAsync("payments", default));
        Assert.Empty(await Groups.ActiveIdsAsync(default));
        Assert.Equal(ReleaseWriteOutcome.Written, await Releases.CreateAsync(Release("lone", "payments"), null, default));
        Assert.Equal(["shop-1"], (await Groups.ListAsync(default)).Select(g => g.Id));
    }

    /// <summary>
    /// The index of groups with transitions to tell follows every write of the group: there while some event is untold,
    /// gone once all are told; an ended group is deleted only once told, and goes from the index with it.
    /// </summary>
    [Fact]
    public async Task UntoldIndex_FollowsEachWrite_AndAnEndedToldGroupIsDeletedWithIt()
    {
        var told = Group("quiet", "search");
        var telling = Group("shop-1", "payments", "checkout");
        telling = telling with { Spec = telling.Spec with { Notifications = ["http://127.0.0.1:9/hook"] } };
        Assert.Equal(ReleaseWriteOutcome.Written, await Groups.CreateAsync(told, default));
        Assert.Equal(ReleaseWriteOutcome.Written, await Groups.CreateAsync(telling, default));
        Assert.Equal(["shop-1"], await Groups.UntoldIdsAsync(default));

        var (stored, revision) = await Groups.GetAsync("shop-1", default);
        var ended = ReleaseGroupDecider.Abort(stored!, "otto", T0)! with { Phase = GroupPhase.RolledBack, EndedAt = T0 };
        (_, revision) = await Groups.SaveAsync(ended with { Notified = ended.Events.Count - 1 }, revision, null, default);
        Assert.Equal(["shop-1"], await Groups.UntoldIdsAsync(default));

        // Not deleted while an event is untold, nor once it changed since it was read.
        await using var term = await new LeaderElection(_connection, "groups", TimeProvider.System).TryLeadAsync("test", TimeSpan.FromSeconds(30), default);
        Assert.Equal(ReleaseWriteOutcome.Conflict, await Groups.DeleteAsync(ended with { Notified = ended.Events.Count - 1 }, revision, term!, default));
        var all = ended with { Notified = ended.Events.Count };
        var (_, at) = await Groups.SaveAsync(all, revision, null, default);
        Assert.Empty(await Groups.UntoldIdsAsync(default));
        Assert.Equal(ReleaseWriteOutcome.Conflict, await Groups.DeleteAsync(all, revision, term!, default));

        Assert.Equal(ReleaseWriteOutcome.Written, await Groups.DeleteAsync(all, at, term!, default));
        Assert.Null((await Groups.GetAsync("shop-1", default)).State);
        Assert.Equal(["quiet"], (await Groups.ListAsync(default)).Select(g => g.Id));
    }

    [Fact]
    public async Task AGroupWithAMemberBusy_IsNotCreated_AndHoldsNothing()
    {
        Assert.Equal(ReleaseWriteOutcome.Written, await Releases.CreateAsync(Release("lone", "checkout"), null, default));

        Assert.Equal(ReleaseWriteOutcome.Conflict, await Groups.CreateAsync(Group("shop-1", "payments", "checkout"), default));

        Assert.Null(await Groups.ActiveGroupOfAsync("payments", default));
        Assert.Null((await Groups.GetAsync("shop-1", default)).State);
    }

    [Fact]
    public async Task AMembersStart_IsGuardedByTheGroupsRevision_SoAGroupChangedMeanwhileStartsNothing()
    {
        var group = Group("shop-1", "payments", "checkout");
        await Groups.CreateAsync(group, default);
        var (_, decidedAt) = await Groups.GetAsync("shop-1", default);

        // An operator's abort lands between the decision and the start.
        var (aborted, _) = await Groups.SaveAsync(ReleaseGroupDecider.Abort(group, "ops", T0)!, decidedAt, null, default);
        Assert.Equal(ReleaseWriteOutcome.Written, aborted);
        Assert.Equal(ReleaseWriteOutcome.Conflict, await Releases.CreateAsync(Release("shop-1-payments", "payments", "shop-1"), null, default, decidedAt));
        Assert.Null((await Releases.GetAsync("shop-1-payments", default)).State);

        var (_, now) = await Groups.GetAsync("shop-1", default);
        Assert.Equal(ReleaseWriteOutcome.Written, await Releases.CreateAsync(Release("shop-1-payments", "payments", "shop-1"), null, default, now));
        Assert.Equal("shop-1", (await Releases.GetAsync("shop-1-payments", default)).State!.Group);
    }
}
