using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;
using LightMesh.Etcd;
using LightMesh.Etcd.Releases;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// The release history on a real controller: the API and the CLI page through thousands of ended releases, the leader
/// deletes what is past retention, a step reads only active releases, and measurements are kept per analysis run.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ReleaseHistoryTests(EtcdFixture etcd) : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30), DefaultRequestHeaders = { Authorization = new("Bearer", ControllerHarness.Token) } };
    private readonly string _prefix = etcd.NewPrefix();
    private EtcdConnection? _etcd;
    private ControllerHarness? _harness;

    private EtcdConnection Etcd => _etcd!;

    private ControllerHarness H => _harness!;

    private ReleaseStore Store => new(Etcd);

    public Task InitializeAsync()
    {
        _etcd = etcd.Connect(_prefix);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }

        _etcd?.Dispose();
    }

    public void Dispose() => _http.Dispose();

    private async Task StartAsync(bool runReleases = true, Func<ReleaseEngineOptions, ReleaseEngineOptions>? engine = null) =>
        _harness = await ControllerHarness.StartAsync(etcd, runReleases, _prefix, engine);

    [Fact]
    public async Task List_2000EndedReleasesOf4KB_AnswersPagesThatCoverEveryOneNewestFirst_AndTheCliListsThem()
    {
        var t0 = DateTimeOffset.UtcNow.AddDays(-10);
        var releases = Enumerable.Range(0, 2000)
            .Select(i => StoredReleases.Release($"svc-{i % 10}-{i:D4}", $"svc-{i % 10}", t0.AddMinutes(i), t0.AddMinutes(i + 1), size: 4000))
            .ToList();
        await StoredReleases.WriteAsync(Store, releases);
        await StartAsync(runReleases: false);

        var (status, first) = await ListAsync("");
        Assert.True(status == HttpStatusCode.OK, first.ToString());
        Assert.Equal(ReleaseQuery.DefaultLimit, first.GetProperty("items").GetArrayLength());
        Assert.Equal("svc-9-1999", first.GetProperty("items")[0].GetProperty("id").GetString());

        var listed = new List<string>();
        for (string? next = ""; next is not null;)
        {
            var (pageStatus, page) = await ListAsync($"limit=500{(next.Length > 0 ? $"&continue={next}" : "")}");
            Assert.Equal(HttpStatusCode.OK, pageStatus);
            listed.AddRange(page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
            next = page.TryGetProperty("continue", out var given) && given.ValueKind == JsonValueKind.String ? given.GetString() : null;
        }

        Assert.Equal(releases.Select(r => r.Id).Reverse(), listed);
        var (_, filtered) = await ListAsync("service=svc-3&phase=succeeded&limit=10");
        Assert.Equal(10, filtered.GetProperty("items").GetArrayLength());
        Assert.All(filtered.GetProperty("items").EnumerateArray(), r => Assert.Equal("svc-3", r.GetProperty("service").GetString()));

        var one = await CliAsync("release", "list", "--limit", "20", "-o", "json");
        Assert.True(one.Exit == 0, one.ToString());
        var shown = JsonDocument.Parse(one.Stdout).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
        Assert.Equal(listed.Take(20), shown);
        var token = one.Stderr.Split("--continue ")[1].Trim();
        var after = await CliAsync("release", "list", "--limit", "20", "--continue", token, "-o", "json");
        Assert.Equal(listed.Skip(20).Take(20), JsonDocument.Parse(after.Stdout).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
        var service = await CliAsync("release", "list", "--service", "svc-1", "-o", "json");
        Assert.True(service.Exit == 0, service.ToString());
        Assert.Equal(200, JsonDocument.Parse(service.Stdout).RootElement.GetArrayLength());
        var started = await CliAsync("release", "list", "--started-by", "test", "--service", "svc-2", "--limit", "3", "-o", "json");
        Assert.True(started.Exit == 0, started.ToString());
        Assert.Equal(listed.Where(id => id.StartsWith("svc-2-", StringComparison.Ordinal)).Take(3), JsonDocument.Parse(started.Stdout).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
        Assert.Contains("--started-by test --limit 3 --continue ", started.Stderr, StringComparison.Ordinal);
        var nobody = await CliAsync("release", "list", "--started-by", "schedule/", "-o", "json");
        Assert.Equal(0, JsonDocument.Parse(nobody.Stdout).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task List_BadParameters_Are400NamingEachParameter()
    {
        await StartAsync(runReleases: false);

        var (status, problem) = await ListAsync("limit=0&phase=Done&continue=not-a-token&service=&startedBy=");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(
        [
            "limit: \"0\" must be a whole number 1..500",
            "continue: not a token this list gave; start again without it",
            "service: must not be empty",
            "startedBy: must not be empty",
            "phase: \"Done\" is not one of Progressing, Paused, Succeeded, RolledBack, Aborted, Failed",
        ], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Retention_EndedBeyondKeepOrPastMaxAge_AreDeletedWithTheirKeys_ActiveAndRecentStay()
    {
        var now = DateTimeOffset.UtcNow;
        var measured = new AnalysisRecord(1, false, "t", "m", AnalysisPhase.Successful, "", [new Measurement(now, [0.1], MeasurementPhase.Successful, "")]);
        var alpha = Enumerable.Range(1, 6).Select(i => StoredReleases.Release($"alpha-{i}", "alpha", now.AddHours(-i - 1), now.AddHours(-i)) with { Analyses = [measured] }).ToList();
        ReleaseState[] beta = [StoredReleases.Release("beta-old-1", "beta", now.AddDays(-41), now.AddDays(-40)), StoredReleases.Release("beta-old-2", "beta", now.AddDays(-42), now.AddDays(-41)),
            StoredReleases.Release("beta-new", "beta", now.AddDays(-2), now.AddDays(-1))];
        var gamma = StoredReleases.Release("gamma-active", "gamma", now.AddDays(-40), now.AddDays(-40), ReleasePhase.Paused);
        ReleaseState[] unindexed = [StoredReleases.Release("delta-old", "delta", now.AddDays(-36), now.AddDays(-35)), StoredReleases.Release("delta-new", "delta", now.AddHours(-2), now.AddHours(-1))];
        await StoredReleases.WriteAsync(Store, [.. alpha, .. beta, gamma]);
        await StoredReleases.WriteUnindexedAsync(Etcd, unindexed);
        var txn = new GuardedTxn();
        foreach (var release in alpha.Concat(beta))
        {
            txn.Put(Etcd.Keys.Notified(release.Id), "2");
        }

        await txn.CommitAsync(Etcd, default);

        await StartAsync(engine: e => e with { ReleaseHistory = 3, ReleaseHistoryAge = TimeSpan.FromDays(30), HistoryInterval = TimeSpan.FromMilliseconds(200) });

        string[] kept = ["alpha-1", "alpha-2", "alpha-3", "beta-new", "delta-new", "gamma-active"];
        await Poll.UntilAsync(IndexedAsync, ids => ids.SequenceEqual(kept), TimeSpan.FromSeconds(20), "retention to leave " + string.Join(", ", kept));
        foreach (var gone in new[] { "alpha-4", "alpha-5", "alpha-6", "beta-old-1", "beta-old-2", "delta-old" })
        {
            Assert.Null((await Store.GetAsync(gone, default)).State);
            Assert.Equal(0, (await Etcd.RangePrefixAsync(Etcd.Keys.Analyses(gone), 0, default)).Count);
            Assert.Equal(0, (await Etcd.GetAsync(Etcd.Keys.Notified(gone), default)).Count);
        }

        Assert.Equal(3, await Etcd.CountPrefixAsync(Etcd.Keys.AllAnalyses, default));
        Assert.Equal(ReleasePhase.Paused, (await Store.GetAsync("gamma-active", default)).State!.Phase);
        Assert.Equal(kept, (await H.Releases.AllAsync()).Select(r => r.Id).Order(StringComparer.Ordinal));
        // The gauge is process-wide: a test's controller that stops leading clears it, and the keeper sets it again at its next pass.
        await Poll.UntilAsync(() => _http.GetStringAsync(new Uri(H.Api, "metrics")), m => m.Contains("lightmesh_release_history_keys{kind=\"analyses\"} 3", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the history gauge");
    }

    /// <summary>Ended group releases follow the same retention, counted per group workflow; a running group stays, however old.</summary>
    [Fact]
    public async Task Retention_EndedGroupsBeyondKeepOrPastMaxAge_AreDeleted_RunningAndRecentStay()
    {
        var now = DateTimeOffset.UtcNow;
        var groups = new ReleaseGroupStore(Etcd);
        async Task StoreAsync(string id, string workflow, DateTimeOffset started, DateTimeOffset? ended)
        {
            var spec = new ReleaseGroupSpec { Members = [new GroupMember($"member-{id}", "canary", [])] };
            // A running group is held paused, so that the runner starts no member (none could start here).
            var group = ReleaseGroupDecider.Start(id, workflow, spec, new Dictionary<string, string> { [$"member-{id}"] = "v2" }, "ci", started) with { PausedBy = ended is null ? "otto" : null };
            Assert.Equal(ReleaseWriteOutcome.Written, await groups.CreateAsync(group, default));
            if (ended is { } at)
            {
                var (_, revision) = await groups.GetAsync(id, default);
                Assert.Equal(ReleaseWriteOutcome.Written, (await groups.SaveAsync(group with { Phase = GroupPhase.Succeeded, EndedAt = at }, revision, null, default)).Outcome);
            }
        }

        for (var i = 1; i <= 5; i++)
        {
            await StoreAsync($"shop-{i}", "shop", now.AddHours(-i - 1), now.AddHours(-i));
        }

        await StoreAsync("pair-old", "pair", now.AddDays(-41), now.AddDays(-40));
        await StoreAsync("pair-new", "pair", now.AddDays(-2), now.AddDays(-1));
        await StoreAsync("pair-running", "pair", now.AddDays(-40), null);

        await StartAsync(engine: e => e with { ReleaseHistory = 3, ReleaseHistoryAge = TimeSpan.FromDays(30), HistoryInterval = TimeSpan.FromMilliseconds(200) });

        string[] kept = ["pair-new", "pair-running", "shop-1", "shop-2", "shop-3"];
        await Poll.UntilAsync(
            async () => (await groups.ListAsync(default)).Select(g => g.Id).Order(StringComparer.Ordinal).ToList(), ids => ids.SequenceEqual(kept), TimeSpan.FromSeconds(20),
            "group retention to leave " + string.Join(", ", kept));
        Assert.Equal(["pair-running"], await groups.ActiveIdsAsync(default));
    }

    [Fact]
    public async Task Deploy_EndedReleaseThatIsNotAReleaseInEtcd_DoesNotHoldUpANewReleaseOfADeployedService()
    {
        await new GuardedTxn().Put(Etcd.Keys.Release("broken-1"), "{\"id\": \"broken-1\", \"phase\": ").CommitAsync(Etcd, default);
        await StartAsync();
        await H.ApplyAsync("""
            apiVersion: lightmesh.io/v1
            kind: Service
            metadata: {name: epsilon}
            spec:
              protocol: http
              port: 8080
              deploy: {image: example/epsilon, versions: {stable: v1}}
            ---
            apiVersion: lightmesh.io/v1
            kind: ReleaseWorkflow
            metadata: {name: epsilon-flow}
            spec:
              steps:
              - deploy: {}
              - setWeight: 50
              - promote: {}
            """);
        await H.InstancesAsync("epsilon", "v1", "v2");

        var release = await H.StartAsync("epsilon", "v2");
        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded);

        Assert.Contains(done.Events, e => e.Action == "deploy done");
        Assert.Equal([release.Id], (await H.Releases.AllAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task Analysis_MoreMeasurementsThanRetention_KeepsTheNewestInTheRunsKey_AndAListShowsSummaries()
    {
        await StartAsync(engine: e => e with { MeasurementRetention = 2 });
        await H.ApplyAsync(ControllerHarness.Template.Replace("name: error-ratio}", "name: four-times}", StringComparison.Ordinal)
            .Replace("interval: 1s", "interval: 100ms", StringComparison.Ordinal).Replace("count: 1", "count: 4", StringComparison.Ordinal));
        await H.ServiceAsync("zeta", "  - deploy: {}\n  - setWeight: 10\n  - analysis: {templates: [four-times]}\n  - promote: {}");

        var release = await H.StartAsync("zeta", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded);

        var shown = await _http.GetFromJsonAsync<JsonElement>(new Uri(H.Api, $"api/v1/releases/{release.Id}"));
        var metric = Assert.Single(shown.GetProperty("analyses").EnumerateArray());
        Assert.Equal((2, 4), (metric.GetProperty("measurements").GetArrayLength(), metric.GetProperty("measured").GetInt32()));
        var (_, listed) = await ListAsync("service=zeta");
        var summary = Assert.Single(listed.GetProperty("items")[0].GetProperty("analyses").EnumerateArray());
        Assert.Equal((0, 4), (summary.GetProperty("measurements").GetArrayLength(), summary.GetProperty("measured").GetInt32()));
        var stored = JsonDocument.Parse((await Etcd.GetAsync(Etcd.Keys.Release(release.Id), default)).Kvs[0].Value.ToStringUtf8());
        Assert.Equal(0, stored.RootElement.GetProperty("analyses")[0].GetProperty("measurements").GetArrayLength());
        Assert.Equal(1, (await Etcd.GetAsync(Etcd.Keys.AnalysisRun(release.Id, 0), default)).Count);
    }

    private async Task<string[]> IndexedAsync() =>
        [.. (await new ReleaseHistory(Etcd, Store).ListingsAsync(default)).Select(e => e.Listing.Id).Order(StringComparer.Ordinal)];

    private async Task<(HttpStatusCode Status, JsonElement Body)> ListAsync(string query)
    {
        using var response = await _http.GetAsync(new Uri(H.Api, $"api/v1/releases{(query.Length > 0 ? "?" + query : "")}"));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private sealed record CliResult(int Exit, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {Exit}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    /// <summary>Runs <c>lightmesh</c> as a user would, against the test's controller with its admin token.</summary>
    private async Task<CliResult> CliAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "lightmesh.dll") }.Concat(args).Concat(["--server", H.Api.ToString(), "--token", ControllerHarness.Token]))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
