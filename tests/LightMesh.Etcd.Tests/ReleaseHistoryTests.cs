using System.Text.Json;
using CsCheck;
using LightMesh.Core;
using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.Testing;

namespace LightMesh.Etcd.Tests;

/// <summary>The release index: pages, deletion with everything kept for a release, and releases stored before the index.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ReleaseHistoryTests(EtcdFixture etcd) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ReleasePhase[] Ended = [ReleasePhase.Succeeded, ReleasePhase.RolledBack, ReleasePhase.Aborted, ReleasePhase.Failed];

    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private ReleaseStore Store => new(_connection);

    private ReleaseHistory History => new(_connection, Store);

    /// <summary>
    /// A seeded random history (the seed is in every failure message) of four services, each with ended releases and at
    /// most one active; then generated queries (CsCheck prints the seed of a failing one): following the pages of any
    /// limit and filter gives each matching release exactly once, newest start first.
    /// </summary>
    [Fact]
    public async Task List_AnyLimitAndFilter_PagesGiveEachMatchingReleaseOnceNewestFirst()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var releases = new List<ReleaseState>();
        for (var i = 0; i < 120; i++)
        {
            var service = $"s{random.Next(4)}";
            // Whole seconds, and some starts shared, so ties are ordered by id.
            var started = T0 + TimeSpan.FromSeconds(random.Next(90));
            releases.Add(StoredReleases.Release($"r{i:D3}", service, started, started.AddMinutes(5), Ended[random.Next(Ended.Length)]));
        }

        foreach (var service in releases.Select(r => r.Service).Distinct().Where(_ => random.Next(2) == 0).ToList())
        {
            var started = T0 + TimeSpan.FromSeconds(random.Next(90));
            releases.Add(StoredReleases.Release($"active-{service}", service, started, started, random.Next(2) == 0 ? ReleasePhase.Progressing : ReleasePhase.Paused));
        }

        await StoredReleases.WriteAsync(Store, releases);
        var history = History;

        string?[] services = [null, "s0", "s1", "s2", "s3", "nosuch"];
        var query = Gen.Select(Gen.Int[1, 40], Gen.Int[0, services.Length - 1].Select(i => services[i]), Gen.Int[-1, 5]);
        await query.SampleAsync(async (limit, service, phase) =>
        {
            var filter = new ReleaseQuery { Limit = limit, Service = service, Phase = phase < 0 ? null : (ReleasePhase)phase };
            var expected = releases.Where(r => (service is null || r.Service == service) && (filter.Phase is null || r.Phase == filter.Phase))
                .OrderByDescending(r => r.StartedAt).ThenBy(r => r.Id, StringComparer.Ordinal).Select(r => r.Id).ToList();

            var listed = new List<string>();
            var page = await history.ListAsync(filter, default);
            listed.AddRange(page.Releases.Select(r => r.Id));
            for (var pages = 1; page.Continue is not null; pages++)
            {
                Assert.True(page.Releases.Count == limit, $"history seed {seed}: a page before the last has {page.Releases.Count} releases, not {limit}");
                Assert.True(pages <= releases.Count, $"history seed {seed}: the pages do not end");
                page = await history.ListAsync(filter with { Continue = ContinueToken.Parse(page.Continue.ToString()) }, default);
                listed.AddRange(page.Releases.Select(r => r.Id));
            }

            Assert.True(expected.SequenceEqual(listed), $"history seed {seed}: expected {string.Join(",", expected)}; listed {string.Join(",", listed)}");
        }, iter: 60, threads: 1);
    }

    [Fact]
    public async Task List_ByWhoStartedThem_ExactOrEveryNameUnderAPrefix_AndAnEntryFromBeforeTheIndexHeldItIsDecidedByItsRelease()
    {
        string[] starters = ["alice", "schedule/nightly", "schedule/weekly", "alice", "bob", "alice"];
        var releases = starters.Select((who, i) => StoredReleases.Release($"r{i}", "alpha", T0.AddMinutes(i), T0.AddMinutes(i + 1)) with { StartedBy = who }).ToList();
        await StoredReleases.WriteAsync(Store, releases);

        // Entries written before the index said who started a release: r4 (bob's) and r5 (alice's).
        foreach (var old in releases.Skip(4))
        {
            var entry = JsonSerializer.SerializeToNode(ReleaseListing.Of(old), ReleaseJson.Options)!.AsObject();
            Assert.True(entry.Remove("startedBy"));
            await new GuardedTxn().Put(_connection.Keys.ReleaseIndexEntry(old.StartedAt, old.Id), entry.ToJsonString()).CommitAsync(_connection, default);
        }

        async Task<IReadOnlyList<string>> ListedAsync(string startedBy, int limit = 50) =>
            [.. (await History.ListAsync(new ReleaseQuery { StartedBy = startedBy, Limit = limit }, default)).Releases.Select(r => r.Id)];

        Assert.Equal(["r5", "r3", "r0"], await ListedAsync("alice"));
        Assert.Equal(["r2", "r1"], await ListedAsync("schedule/"));
        Assert.Equal(["r1"], await ListedAsync("schedule/nightly"));
        Assert.Empty(await ListedAsync("schedule"));
        Assert.Equal(["r4"], await ListedAsync("bob"));

        // A page holds at most its limit, and fewer where an old entry turned out not to match; the next page goes on.
        var first = await History.ListAsync(new ReleaseQuery { StartedBy = "alice", Limit = 2 }, default);
        Assert.Equal(["r5"], first.Releases.Select(r => r.Id));
        var second = await History.ListAsync(new ReleaseQuery { StartedBy = "alice", Limit = 2, Continue = first.Continue }, default);
        Assert.Equal(["r3", "r0"], second.Releases.Select(r => r.Id));
    }

    [Fact]
    public async Task List_ReleaseDeletedBetweenPages_TheNextPageStartsAfterTheLastShown()
    {
        var releases = Enumerable.Range(0, 6).Select(i => StoredReleases.Release($"r{i}", "alpha", T0.AddMinutes(i), T0.AddMinutes(i + 1))).ToList();
        await StoredReleases.WriteAsync(Store, releases);
        await using var term = await TermAsync();

        var first = await History.ListAsync(new ReleaseQuery { Limit = 2 }, default);
        var entries = await History.ListingsAsync(default);
        Assert.Equal(ReleaseWriteOutcome.Written, await History.DeleteAsync(entries.Single(e => e.Listing.Id == "r4"), term, default));
        var second = await History.ListAsync(new ReleaseQuery { Limit = 2, Continue = first.Continue }, default);

        Assert.Equal(["r5", "r4"], first.Releases.Select(r => r.Id));
        Assert.Equal(["r3", "r2"], second.Releases.Select(r => r.Id));
    }

    [Fact]
    public async Task Delete_EndedRelease_RemovesItsAnalysisRunsNotifiedCountAndIndexEntry_AndNothingOfAnother()
    {
        var measured = new AnalysisRecord(1, false, "t", "m", AnalysisPhase.Successful, "", [new Measurement(T0, [0.1], MeasurementPhase.Successful, "")]);
        var gone = StoredReleases.Release("alpha-1", "alpha", T0, T0.AddMinutes(5)) with { Analyses = [measured] };
        var kept = StoredReleases.Release("alpha-10", "alpha", T0.AddHours(1), T0.AddHours(2)) with { Analyses = [measured] };
        await StoredReleases.WriteAsync(Store, [gone, kept]);
        await using var term = await TermAsync();
        foreach (var id in new[] { gone.Id, kept.Id })
        {
            Assert.Equal(ReleaseWriteOutcome.Written, (await Store.SaveNotifiedAsync(id, 2, 0, term, default)).Outcome);
        }

        var entry = (await History.ListingsAsync(default)).Single(e => e.Listing.Id == gone.Id);
        Assert.Equal(ReleaseWriteOutcome.Written, await History.DeleteAsync(entry, term, default));

        Assert.Equal(["alpha-10"], (await History.ListingsAsync(default)).Select(e => e.Listing.Id));
        Assert.Null((await Store.GetAsync(gone.Id, default)).State);
        Assert.Equal(0, (await _connection.RangePrefixAsync(_connection.Keys.Analyses(gone.Id), 0, default)).Count);
        Assert.Equal(1, (await _connection.RangePrefixAsync(_connection.Keys.Analyses(kept.Id), 0, default)).Count);
        Assert.Equal([kept.Id], (await Store.NotifiedAsync(default)).Keys);
        Assert.Equal(ReleaseWriteOutcome.Conflict, await History.DeleteAsync(entry, term, default));
    }

    [Fact]
    public async Task Backfill_ReleasesStoredBeforeTheIndex_AreIndexedOnce_AndAValueThatIsNotAReleaseIsReported()
    {
        var old = Enumerable.Range(0, 3).Select(i => StoredReleases.Release($"old-{i}", "alpha", T0.AddMinutes(i), T0.AddMinutes(i + 1))).ToList();
        await StoredReleases.WriteUnindexedAsync(_connection, old);
        await new GuardedTxn().Put(_connection.Keys.Release("broken"), "{\"id\": ").CommitAsync(_connection, default);
        await StoredReleases.WriteAsync(Store, [StoredReleases.Release("new-0", "beta", T0.AddMinutes(-1), T0)]);
        await using var term = await TermAsync();
        Assert.Equal(["new-0"], (await History.ListAsync(new ReleaseQuery(), default)).Releases.Select(r => r.Id));

        var (indexed, unreadable) = await History.BackfillAsync(term, 0, default);
        var again = await History.BackfillAsync(term, unreadable.Count, default);

        Assert.Equal(3, indexed);
        Assert.Equal(_connection.Keys.Release("broken"), Assert.Single(unreadable).Key);
        Assert.Equal((0, 0), (again.Indexed, again.Unreadable.Count));
        Assert.Equal(["old-2", "old-1", "old-0", "new-0"], (await History.ListAsync(new ReleaseQuery(), default)).Releases.Select(r => r.Id));
    }

    [Fact]
    public async Task Range_AnswerLargerThanTheMaximumMessageSize_FailsNamingTheSetting_AndALargerSettingReadsIt()
    {
        var prefix = etcd.NewPrefix();
        using var writer = etcd.Connect(prefix);
        foreach (var i in Enumerable.Range(0, 3))
        {
            await new GuardedTxn().Put($"{prefix}big/{i}", new string('x', 600 * 1024)).CommitAsync(writer, default);
        }

        using var small = new EtcdConnection(new EtcdOptions { Endpoints = etcd.Endpoint, Prefix = prefix, MaxMessageSize = 1024 * 1024 }, TimeProvider.System);
        var error = await Assert.ThrowsAsync<LightMeshException>(() => small.RangePrefixAsync($"{prefix}big/", 0, default));

        Assert.Contains("1048576 bytes this client accepts (the etcd maximum message size setting)", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await writer.RangePrefixAsync($"{prefix}big/", 0, default)).Count);
    }

    [Fact]
    public async Task Save_AnalysisRun_KeepsItsMeasurementsInTheRunsKey_AndSummariesInTheRelease()
    {
        var start = StoredReleases.Release("r1", "alpha", T0, T0, ReleasePhase.Progressing);
        await StoredReleases.WriteAsync(Store, [start]);
        var measurements = Enumerable.Range(0, 3).Select(i => new Measurement(T0.AddSeconds(i), [i * 0.01], MeasurementPhase.Successful, "")).ToList();
        AnalysisRecord[] run = [new(1, false, "errors", "error-ratio", AnalysisPhase.Successful, "", measurements), new(1, false, "latency", "p99", AnalysisPhase.Successful, "", measurements[..1])];
        var (state, revision) = await Store.GetAsync("r1", default);

        Assert.Equal(ReleaseWriteOutcome.Written, await Store.SaveAsync(state! with { Analyses = run }, revision, null, default));
        (state, revision) = await Store.GetAsync("r1", default);
        var background = new AnalysisRecord(2, true, "errors", "error-ratio", AnalysisPhase.Failed, "too high", measurements[2..]);
        Assert.Equal(ReleaseWriteOutcome.Written, await Store.SaveAsync(state! with { Analyses = [.. state.Analyses, background] }, revision, null, default));

        var stored = JsonDocument.Parse((await _connection.GetAsync(_connection.Keys.Release("r1"), default)).Kvs[0].Value.ToStringUtf8());
        var summaries = stored.RootElement.GetProperty("analyses").EnumerateArray().ToList();
        Assert.All(summaries, s => Assert.Equal(0, s.GetProperty("measurements").GetArrayLength()));
        Assert.Equal([3, 1, 1], summaries.Select(s => s.GetProperty("measured").GetInt32()));
        var runs = (await _connection.RangePrefixAsync(_connection.Keys.Analyses("r1"), 0, default)).Kvs.Select(kv => kv.Key.ToStringUtf8()).ToList();
        Assert.Equal([_connection.Keys.AnalysisRun("r1", 0), _connection.Keys.AnalysisRun("r1", 2)], runs);
        var full = await Store.GetWithMeasurementsAsync("r1", default);
        Assert.Equal([3, 1, 1], full!.Analyses.Select(a => a.Measurements.Count));
        Assert.Equal(measurements.Select(m => m.Value), full.Analyses[0].Measurements.Select(m => m.Value));
    }

    /// <summary>No value in etcd can make the history fail: what cannot be read is left out, and everything else is shown.</summary>
    [Fact]
    public async Task ValuesThatCannotBeRead_AnIndexEntry_ARelease_AnAnalysisRun_AreLeftOut_AndTheRestIsShown()
    {
        var releases = Enumerable.Range(1, 3).Select(i => StoredReleases.Release($"a-{i}", "alpha", T0.AddMinutes(2 * i), T0.AddMinutes(2 * i + 1))).ToList();
        await StoredReleases.WriteAsync(Store, releases);
        var measured = new AnalysisRecord(1, false, "t", "m", AnalysisPhase.Successful, "", [new Measurement(T0, [0.1], MeasurementPhase.Successful, "")]);
        var (state, revision) = await Store.GetAsync("a-1", default);
        Assert.Equal(ReleaseWriteOutcome.Written, await Store.SaveAsync(state! with { Analyses = [measured] }, revision, null, default));

        await new GuardedTxn().Put(_connection.Keys.ReleaseIndexEntry(releases[1].StartedAt, "a-2"), "not json").CommitAsync(_connection, default);
        await new GuardedTxn().Put(_connection.Keys.Release("a-3"), "{\"id\": ").CommitAsync(_connection, default);
        await new GuardedTxn().Put(_connection.Keys.AnalysisRun("a-1", 0), "[{\"step\": ").CommitAsync(_connection, default);

        Assert.Equal(["a-1"], (await History.ListAsync(new ReleaseQuery(), default)).Releases.Select(r => r.Id));
        Assert.Equal(["a-1", "a-3"], (await History.ListingsAsync(default)).Select(e => e.Listing.Id).Order(StringComparer.Ordinal));
        var shown = await Store.GetWithMeasurementsAsync("a-1", default);
        Assert.Equal(("t", "m", 0), (shown!.Analyses[0].Template, shown.Analyses[0].Metric, shown.Analyses[0].Measurements.Count));
    }

    /// <summary>A leader term for the test's fenced writes.</summary>
    private async Task<LeaderTerm> TermAsync() =>
        (await new LeaderElection(_connection, "history", TimeProvider.System).TryLeadAsync("test", TimeSpan.FromSeconds(30), default))!;
}
