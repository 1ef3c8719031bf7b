using System.Diagnostics;
using LightMesh.Etcd.Leadership;
using LightMesh.Testing;

namespace LightMesh.Etcd.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class LeadershipTests(EtcdFixture etcd) : IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private LeaderElection Election => new(_connection, "controller", TimeProvider.System);

    [Fact]
    public async Task TryLead_SecondCandidate_IsRefusedWhileTheFirstLeads()
    {
        await using var first = await Election.TryLeadAsync("a", Ttl, default);

        Assert.NotNull(first);
        Assert.Null(await Election.TryLeadAsync("b", Ttl, default));
        Assert.Equal("a", await Election.LeaderAsync(default));
    }

    [Fact]
    public async Task Campaign_LeaderStopsRenewing_StandbyTakesOverWithinTheTtl()
    {
        var first = (await Election.TryLeadAsync("a", Ttl, default))!;
        await first.AbandonAsync();
        var stopped = Stopwatch.StartNew();

        await using var second = await Election.CampaignAsync("b", Ttl, TimeSpan.FromMilliseconds(100), new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);

        Assert.True(stopped.Elapsed <= Ttl + TimeSpan.FromSeconds(1.5), $"took {stopped.Elapsed}");
        Assert.Equal("b", await Election.LeaderAsync(default));
    }

    [Fact]
    public async Task Fence_DeposedLeadersWrite_IsRejectedAndTheNewLeadersGoesThrough()
    {
        var deposed = (await Election.TryLeadAsync("a", Ttl, default))!;
        await deposed.AbandonAsync();
        await using var current = await Election.CampaignAsync("b", Ttl, TimeSpan.FromMilliseconds(100), new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        var route = $"{_connection.Options.Prefix}virtualservices/checkout";

        var (deposedWrote, _) = await deposed.Fence(new GuardedTxn().Put(route, "from a")).CommitAsync(_connection, default);
        var (currentWrote, _) = await current.Fence(new GuardedTxn().Put(route, "from b")).CommitAsync(_connection, default);

        Assert.False(deposedWrote);
        Assert.True(currentWrote);
        Assert.Equal("from b", (await _connection.GetAsync(route, default)).Kvs[0].Value.ToStringUtf8());
    }

    [Fact]
    public async Task Lost_FiresWhenTheLeaseIsTakenAway()
    {
        await using var term = (await Election.TryLeadAsync("a", Ttl, default))!;

        await _connection.LeaseRevokeAsync(term.Lease, default);

        await Poll.UntilAsync(() => Task.FromResult(term.Lost.IsCancellationRequested), lost => lost, TimeSpan.FromSeconds(5), "leadership to be lost");
    }

    [Fact]
    public async Task Resign_LetsTheNextCandidateLeadAtOnce()
    {
        var first = (await Election.TryLeadAsync("a", TimeSpan.FromSeconds(30), default))!;

        await first.DisposeAsync();

        await using var second = await Election.TryLeadAsync("b", Ttl, default);
        Assert.NotNull(second);
    }
}
