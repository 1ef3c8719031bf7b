using CsCheck;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Maintenance;
using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LightMesh.Etcd.Tests;

/// <summary>
/// Compacting etcd's history: up to a mark set at least a period before, never a revision written within the last
/// period, and going on from the mark a previous leader left. Compaction is etcd-wide; the tests of this collection run
/// one at a time and none reads another's history.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class HistoryCompactorTests(EtcdFixture etcd) : IAsyncLifetime
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private LeaderTerm _leader = null!;

    private HistoryCompactor Compactor => new(_connection, _time);

    private LeaderElection Election => new(_connection, "controller", TimeProvider.System);

    public async Task InitializeAsync() => _leader = (await Election.TryLeadAsync("a", Ttl, default))!;

    public async Task DisposeAsync()
    {
        await _leader.DisposeAsync();
        _connection.Dispose();
    }

    private string Key(string name) => $"{_connection.Options.Prefix}k/{name}";

    private async Task<long> PutAsync(string name, string value) =>
        (await new GuardedTxn().Put(Key(name), value).CommitAsync(_connection, default)).Revision;

    private Task<bool> ReadableAtAsync(long revision) => EtcdHistory.ReadableAtAsync(_connection, Key(""), revision);

    private async Task<(long ModRevision, string Value)?> MarkAsync()
    {
        var read = await _connection.GetAsync(_connection.Keys.CompactionMark, default);
        return read.Count == 0 ? null : (read.Kvs[0].ModRevision, read.Kvs[0].Value.ToStringUtf8());
    }

    [Fact]
    public async Task CompactAsync_TheFirstRound_SetsAMarkAndCompactsNothing()
    {
        var written = await PutAsync("a", "1");
        await PutAsync("a", "2");

        Assert.Null(await Compactor.CompactAsync(Period, _leader, default));

        Assert.True(await ReadableAtAsync(written));
        Assert.Equal(_time.GetUtcNow().ToString("O"), (await MarkAsync())?.Value);
    }

    [Fact]
    public async Task CompactAsync_APeriodAfterTheMark_CompactsUpToItAndSetsANewOne()
    {
        var before = await PutAsync("a", "1");
        await Compactor.CompactAsync(Period, _leader, default);
        var mark = (await MarkAsync())!.Value.ModRevision;
        var after = await PutAsync("a", "2");
        _time.Advance(Period);

        var compacted = await Compactor.CompactAsync(Period, _leader, default);

        Assert.Equal(mark, compacted);
        Assert.False(await ReadableAtAsync(before));
        Assert.True(await ReadableAtAsync(mark));
        Assert.True(await ReadableAtAsync(after));
        Assert.True((await MarkAsync())!.Value.ModRevision > after);
    }

    [Fact]
    public async Task CompactAsync_LessThanAPeriodAfterTheMark_LeavesTheHistoryAndTheMark()
    {
        var before = await PutAsync("a", "1");
        await Compactor.CompactAsync(Period, _leader, default);
        var mark = await MarkAsync();
        _time.Advance(Period - TimeSpan.FromSeconds(1));

        Assert.Null(await Compactor.CompactAsync(Period, _leader, default));

        Assert.True(await ReadableAtAsync(before));
        Assert.Equal(mark, await MarkAsync());
    }

    [Fact]
    public async Task CompactAsync_ANewLeader_GoesOnFromTheMarkThePreviousOneSet()
    {
        var before = await PutAsync("a", "1");
        await Compactor.CompactAsync(Period, _leader, default);
        var mark = (await MarkAsync())!.Value.ModRevision;
        await _leader.DisposeAsync();
        _leader = (await Election.TryLeadAsync("b", Ttl, default))!;
        _time.Advance(Period + TimeSpan.FromSeconds(1));

        // A new compactor, as a controller that has just taken over makes: its first round cuts at once.
        Assert.Equal(mark, await new HistoryCompactor(_connection, _time).CompactAsync(Period, _leader, default));
        Assert.False(await ReadableAtAsync(before));
    }

    [Fact]
    public async Task CompactAsync_ByADeposedLeader_SetsNoMark()
    {
        await _leader.AbandonAsync();
        await using var current = await Election.CampaignAsync("b", Ttl, TimeSpan.FromMilliseconds(100), new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        Assert.Null(await Compactor.CompactAsync(Period, _leader, default));

        Assert.Null(await MarkAsync());
    }

    [Fact]
    public async Task CompactAsync_HistoryCompactedPastTheMarkAlready_IsNoFailureAndSetsANewMark()
    {
        await Compactor.CompactAsync(Period, _leader, default);
        var mark = (await MarkAsync())!.Value.ModRevision;
        // etcd's own --auto-compaction-*, or a controller of another prefix, cut further.
        await _connection.CompactAsync(await PutAsync("a", "1"), physical: true, default);
        _time.Advance(Period);

        Assert.Equal(mark, await Compactor.CompactAsync(Period, _leader, default));
        Assert.True((await MarkAsync())!.Value.ModRevision > mark);
    }

    [Theory]
    [InlineData("not a time")]
    [InlineData("2026-12-08T12:00:00.0000000+00:00")] // a day ahead: set by a controller whose clock is ahead
    public async Task CompactAsync_AMarkThatIsNoTimeOrInTheFuture_IsSetAgainByThisClockAndNothingIsCompacted(string value)
    {
        var before = await PutAsync("a", "1");
        await new GuardedTxn().Put(_connection.Keys.CompactionMark, value).CommitAsync(_connection, default);

        Assert.Null(await Compactor.CompactAsync(Period, _leader, default));

        Assert.True(await ReadableAtAsync(before));
        Assert.Equal(_time.GetUtcNow().ToString("O"), (await MarkAsync())?.Value);
    }

    /// <summary>One step of a generated run: a write, time passing (seconds), or a round of the compactor.</summary>
    private sealed record Step(int Kind, int Seconds);

    /// <summary>
    /// Generated runs of writes, time passing and rounds (CsCheck prints the seed of a failing run): no round ever cuts
    /// a revision written within the last period, and each round cuts exactly up to the mark when that is a period old,
    /// as a model of the mark predicts.
    /// </summary>
    [Fact]
    public async Task CompactAsync_AnyRunOfWritesAndRounds_KeepsTheLastPeriodAndCutsUpToTheMark()
    {
        var step = Gen.Select(Gen.Int[0, 2], Gen.Int[0, (int)(Period.TotalSeconds * 1.5)], (kind, seconds) => new Step(kind, seconds));
        await step.Array[1, 14].SampleAsync(async steps =>
        {
            await new GuardedTxn().Delete(_connection.Keys.CompactionMark).CommitAsync(_connection, default);
            var writes = new List<(long Revision, DateTimeOffset At)>();
            (long Revision, DateTimeOffset At)? mark = null;
            var cut = 0L;
            foreach (var (kind, seconds) in steps)
            {
                switch (kind)
                {
                    case 0:
                        writes.Add((await PutAsync("k", $"{writes.Count}"), _time.GetUtcNow()));
                        break;
                    case 1:
                        _time.Advance(TimeSpan.FromSeconds(seconds));
                        break;
                    default:
                        var now = _time.GetUtcNow();
                        var expected = mark is { } m && now - m.At >= Period ? m.Revision : (long?)null;
                        Assert.Equal(expected, await Compactor.CompactAsync(Period, _leader, default));
                        cut = expected ?? cut;
                        if (mark is null || expected is not null)
                        {
                            mark = ((await MarkAsync())!.Value.ModRevision, now);
                        }

                        foreach (var (revision, at) in writes)
                        {
                            Assert.True(await ReadableAtAsync(revision) == revision >= cut, $"revision {revision}, written {now - at} ago, cut up to {cut}");
                            Assert.True(now - at >= Period || revision >= cut, $"revision {revision} was written {now - at} ago, less than {Period}, and was cut (up to {cut})");
                        }

                        break;
                }
            }
        }, iter: 40, threads: 1);
    }
}
