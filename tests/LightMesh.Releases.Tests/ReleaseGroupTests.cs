using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;
using LightMesh.Releases.Requests;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// Group releases through the API on a real controller, etcd and Prometheus: alpha, then beta once alpha is promoted.
/// When beta fails its analysis, alpha, already promoted, is returned to v1 by a release of its own and the group ends
/// RolledBack naming beta; when both pass, the group succeeds. While a group runs, a lone release of a member is refused.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ReleaseGroupTests(EtcdFixture etcd) : ControllerTestBase(etcd), IDisposable
{
    private const string Steps = "  - deploy: {}\n  - setWeight: 50\n  - analysis: {templates: [error-ratio]}\n  - promote: {}\n";

    private static readonly string Pair = TestMeshes.PairGroup("alpha", "beta");

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30), DefaultRequestHeaders = { Authorization = new("Bearer", ControllerHarness.Token) } };

    public void Dispose() => _http.Dispose();

    private async Task<string> StartAsync(string alpha, string beta, string? groupSettings = null)
    {
        foreach (var service in new[] { "alpha", "beta" })
        {
            await H.ServiceAsync(service, Steps);
        }

        await H.ApplyAsync(Pair + (groupSettings ?? ""));
        var response = await _http.PostAsJsonAsync(new Uri(H.Api, "/api/v1/groups"), new { workflow = "pair", versions = new { alpha, beta }, actor = "ci" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    private async Task<JsonObject> GroupAsync(string id) =>
        (await _http.GetFromJsonAsync<JsonObject>(new Uri(H.Api, $"/api/v1/groups/{id}")))!;

    private Task<JsonObject> WaitAsync(string id, Func<JsonObject, bool> done, string what) =>
        Poll.UntilAsync(() => GroupAsync(id), done, TimeSpan.FromSeconds(60), what);

    private static string? Member(JsonObject group, string service, string field) =>
        group["members"]!.AsArray().Single(m => m!["service"]!.GetValue<string>() == service)![field]?.ToString();

    [Fact]
    public async Task AFailingMember_ReturnsThePromotedOneToItsOldVersion_AndTheGroupEndsRolledBack()
    {
        using var endpoint = new RecordingEndpoint(new Dictionary<string, int> { ["/group"] = 204 });
        var id = await StartAsync("v2", "v3", $"\n  notifications: [\"{endpoint.Url("/group")}\"]\n");

        // alpha runs first; while the group runs, neither member takes a release of its own.
        var running = await WaitAsync(id, g => Member(g, "alpha", "release") is not null, "alpha started");
        Assert.Null(Member(running, "beta", "release"));
        var lone = await H.Releases.StartAsync(new StartRequest { Service = "beta", Version = "v4", Workflow = "beta-flow", Actor = "test" }, default);
        Assert.Equal(ReleaseOutcome.Conflict, lone.Outcome);
        Assert.Contains($"service beta is a member of group release {id}", lone.Errors.Single(), StringComparison.Ordinal);

        var ended = await WaitAsync(id, g => g["phase"]!.GetValue<string>() == "RolledBack", "the group rolled back");

        Assert.Equal("beta", ended["failedMember"]!.GetValue<string>());
        Assert.StartsWith("beta v3 ended RolledBack: analysis failed", ended["rollingBack"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["alpha", "beta"], ended["startOrder"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("Succeeded", Member(ended, "alpha", "phase"));
        Assert.Equal("Succeeded", Member(ended, "alpha", "revertPhase"));
        Assert.Equal("RolledBack", Member(ended, "beta", "phase"));
        Assert.Null(Member(ended, "beta", "revert"));

        // Neither new version is stable, and the revert is a release of the group, with its own log.
        Assert.Equal("v1", await H.StableVersionAsync("alpha"));
        Assert.Equal("v1", await H.StableVersionAsync("beta"));
        var revert = (await H.Releases.GetAsync(Member(ended, "alpha", "revert")!, default))!;
        Assert.Equal((id, "v1", ReleaseService.RevertWorkflow), (revert.Group, revert.Version, revert.Workflow));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("alpha"));

        // The services are free again.
        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.StartAsync(new StartRequest { Service = "beta", Version = "v4", Workflow = "beta-flow", Actor = "test" }, default)).Outcome);

        // The group's URLs heard every transition of its log, in order, once; the last one after the group ended.
        var events = ended["events"]!.AsArray().Select((e, i) => (id, i, e!["action"]!.GetValue<string>())).ToList();
        List<(string, int, string)> Heard() => [.. endpoint.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Select(e => (e.GetProperty("group").GetString()!, e.GetProperty("sequence").GetInt32(), e.GetProperty("action").GetString()!))];
        await Poll.UntilAsync(() => Task.FromResult(Heard()), h => h.Count >= events.Count, TimeSpan.FromSeconds(10), "every group transition told");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(events, Heard());
        Assert.Equal(["group started", "member started", "member started", "rolling back", "member reverted", "group rolled back"], events.Select(e => e.Item3));
    }

    [Fact]
    public async Task EveryMemberPassing_TheGroupSucceeds_WithEachNewVersionStable()
    {
        var id = await StartAsync("v2", "v4");

        var ended = await WaitAsync(id, g => g["phase"]!.GetValue<string>() is "Succeeded" or "RolledBack", "the group ended");

        Assert.Equal("Succeeded", ended["phase"]!.GetValue<string>());
        Assert.Equal("v2", await H.StableVersionAsync("alpha"));
        Assert.Equal("v4", await H.StableVersionAsync("beta"));
        Assert.Contains(ended["events"]!.AsArray(), e => e!["action"]!.GetValue<string>() == "group succeeded");

        // The leader counts the groups by phase.
        await Poll.UntilAsync(
            () => _http.GetStringAsync(new Uri(H.Api, "/metrics")),
            m => m.Contains("lightmesh_release_groups{phase=\"Succeeded\"} 1", StringComparison.Ordinal) && m.Contains("lightmesh_release_groups{phase=\"Progressing\"} 0", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the group counted as succeeded");
    }

    /// <summary>
    /// One action on the group acts on every member: pause holds the member in its timed pause (and starts no other),
    /// resume lets it go on, approve approves each member waiting at its approval step. A member's own action (here
    /// promote, which ends a timed pause) stays the operator's to take.
    /// </summary>
    [Fact]
    public async Task PauseResumeAndApprove_OnTheGroup_ActOnEveryMember()
    {
        var (id, alpha) = await StartHeldAsync("  - deploy: {}\n  - setWeight: 50\n  - pause: {duration: 10m}\n  - approval: {}\n  - promote: {}\n");
        var paused = await ActAsync(id, "pause");
        Assert.Equal("ops", paused["pausedBy"]!.GetValue<string>());
        Assert.Equal(("Pause", 0), (paused["acting"]!["action"]!.GetValue<string>(), paused["acting"]!["pending"]!.AsArray().Count));
        var held1 = await H.WaitAsync(alpha, r => r is { Phase: ReleasePhase.Paused, PausedFor: PauseKind.Operator }, "alpha paused by the group");
        Assert.Equal($"paused by ops (group {id}, action 1)", held1.PausedBecause);
        Assert.Equal(HttpStatusCode.Conflict, (await _http.PostAsJsonAsync(new Uri(H.Api, $"/api/v1/groups/{id}/pause"), new { actor = "ops" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _http.PostAsJsonAsync(new Uri(H.Api, $"/api/v1/groups/{id}/approve"), new { actor = "ops" })).StatusCode);

        await ActAsync(id, "resume");
        await H.WaitAsync(alpha, r => r is { Phase: ReleasePhase.Progressing, PauseUntil: not null }, "alpha back in its timed pause");
        await H.Releases.ActAsync(alpha, OperatorAction.Promote, "ops", default);
        await H.WaitAsync(alpha, r => r is { PausedFor: PauseKind.Approval }, "alpha at its approval");
        await ActAsync(id, "approve");

        var beta = Member(await WaitAsync(id, g => Member(g, "beta", "release") is not null, "beta started"), "beta", "release")!;
        await H.WaitAsync(beta, r => r is { PauseUntil: not null }, "beta in its timed pause");
        await H.Releases.ActAsync(beta, OperatorAction.Promote, "ops", default);
        await H.WaitAsync(beta, r => r is { PausedFor: PauseKind.Approval }, "beta at its approval");
        await ActAsync(id, "approve");

        var ended = await WaitAsync(id, g => g["phase"]!.GetValue<string>() == "Succeeded", "the group succeeded");
        Assert.Equal(
            ["group started", "member started", "group paused", "group resumed", "group approved", "member started", "group approved", "group succeeded"],
            ended["events"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()));
        Assert.Contains((await H.Releases.GetAsync(beta, default))!.Events, e => e.Action == "approval done" && e.Actor == $"ops (group {id}, action 4)");
    }

    /// <summary>
    /// The group's <c>analysis</c> runs for each member from its start, beside its steps: beta v3's errors fail it while
    /// beta holds in a pause that has no analysis of its own, and the group rolls back, alpha with it.
    /// </summary>
    [Fact]
    public async Task TheGroupsAnalysis_RunsForEachMember_AndItsFailureRollsTheGroupBack()
    {
        foreach (var service in new[] { "alpha", "beta" })
        {
            await H.ServiceAsync(service, "  - deploy: {}\n  - setWeight: 50\n  - pause: {duration: 10m}\n  - promote: {}\n");
        }

        await H.ApplyAsync(Pair + "\n  gate: weight 50\n  analysis: {templates: [error-ratio]}\n");
        var response = await _http.PostAsJsonAsync(new Uri(H.Api, "/api/v1/groups"), new { workflow = "pair", versions = new { alpha = "v2", beta = "v3" } });
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        var ended = await WaitAsync(id, g => g["phase"]!.GetValue<string>() == "RolledBack", "the group rolled back");
        Assert.Equal("beta", ended["failedMember"]!.GetValue<string>());
        Assert.StartsWith($"beta v3 ended RolledBack: the group's analysis ({id}) failed", ended["rollingBack"]!.GetValue<string>(), StringComparison.Ordinal);
        var alpha = (await H.Releases.GetAsync(Member(ended, "alpha", "release")!, default))!;
        Assert.Equal(ReleasePhase.Aborted, alpha.Phase);
        Assert.NotNull(alpha.GroupAnalysis);
        Assert.Equal("v1", await H.StableVersionAsync("alpha"));
        Assert.Equal("v1", await H.StableVersionAsync("beta"));
    }

    /// <summary>
    /// <c>approval: {group: true}</c>: the member's own approve is refused; one approval of the group ends alpha's step now
    /// and beta's when beta gets there, and the group succeeds.
    /// </summary>
    [Fact]
    public async Task OneGroupApproval_EndsEveryMembersGroupApprovalStep_NowOrLater()
    {
        foreach (var service in new[] { "alpha", "beta" })
        {
            await H.ServiceAsync(service, "  - deploy: {}\n  - setWeight: 50\n  - approval: {group: true}\n  - promote: {}\n");
        }

        await H.ApplyAsync(Pair);
        var response = await _http.PostAsJsonAsync(new Uri(H.Api, "/api/v1/groups"), new { workflow = "pair", versions = new { alpha = "v2", beta = "v4" } });
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var alpha = Member(await WaitAsync(id, g => Member(g, "alpha", "release") is not null, "alpha started"), "alpha", "release")!;
        await H.WaitAsync(alpha, r => r is { PausedFor: PauseKind.Approval }, "alpha at the group's approval");

        var own = await H.Releases.ActAsync(alpha, OperatorAction.Approve, "eve", default);
        Assert.Equal(ReleaseOutcome.Conflict, own.Outcome);
        Assert.Contains($"approve group release {id}", Assert.Single(own.Errors), StringComparison.Ordinal);

        var approved = await ActAsync(id, "approve");
        Assert.Equal("ops", approved["approvedBy"]!.GetValue<string>());
        var ended = await WaitAsync(id, g => g["phase"]!.GetValue<string>() is "Succeeded" or "RolledBack", "the group ended");
        Assert.Equal("Succeeded", ended["phase"]!.GetValue<string>());
        var beta = (await H.Releases.GetAsync(Member(ended, "beta", "release")!, default))!;
        Assert.Contains(beta.Events, e => e.Actor == $"ops (group {id}, approval of step 2)" && e.Step == 2);
    }

    /// <summary>
    /// A group action is recorded on the group before it is carried to the members. When the controller that took it
    /// dies in between (here: the record is written as that controller would have, and nothing else), the leader carries
    /// it to every member; and a member that had it already (its log names the group action) does not get it twice,
    /// even when an operator acted on that member since.
    /// </summary>
    [Fact]
    public async Task AGroupActionLeftPartWay_TheLeaderCarriesItToEachMember_Once()
    {
        var (id, alpha) = await StartHeldAsync("  - deploy: {}\n  - setWeight: 50\n  - pause: {duration: 10m}\n  - promote: {}\n");
        var store = new ReleaseGroupStore(H.Etcd);

        // Pause recorded, carried to no member: the leader pauses alpha under the group action's actor.
        await RecordOnlyAsync(store, id, OperatorAction.Pause);
        var paused = await H.WaitAsync(alpha, r => r.Phase == ReleasePhase.Paused, "alpha paused by the leader");
        Assert.Equal($"paused by ops (group {id}, action 1)", paused.PausedBecause);
        await Poll.UntilAsync(async () => (await store.GetAsync(id, default)).State!, g => g.Acting!.Pending.Count == 0, TimeSpan.FromSeconds(30), "the pause reached every member");

        // Resume carried to alpha by the controller that took it, which died before it could say so on the group; alpha's
        // operator paused it again since. The leader sees the resume in alpha's log and leaves alpha paused.
        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.ActAsync(alpha, OperatorAction.Resume, $"ops (group {id}, action 2)", default)).Outcome);
        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.ActAsync(alpha, OperatorAction.Pause, "ann", default)).Outcome);
        await RecordOnlyAsync(store, id, OperatorAction.Resume);
        var group = await Poll.UntilAsync(async () => (await store.GetAsync(id, default)).State!, g => g.Acting!.Pending.Count == 0, TimeSpan.FromSeconds(30), "the resume reached every member");
        Assert.Null(group.PausedBy);
        var still = (await H.Releases.GetAsync(alpha, default))!;
        Assert.Equal((ReleasePhase.Paused, "paused by ann"), (still.Phase, still.PausedBecause));
        Assert.Single(still.Events, e => e.Actor == $"ops (group {id}, action 2)");
        await _http.PostAsJsonAsync(new Uri(H.Api, $"/api/v1/groups/{id}/abort"), new { actor = "ops" });
        await WaitAsync(id, g => g["phase"]!.GetValue<string>() == "RolledBack", "the group rolled back");
    }

    /// <summary>Starts the pair with both members on <paramref name="steps"/>, and waits for alpha in its timed pause: the group's id and alpha's release.</summary>
    private async Task<(string Id, string Alpha)> StartHeldAsync(string steps)
    {
        foreach (var service in new[] { "alpha", "beta" })
        {
            await H.ServiceAsync(service, steps);
        }

        await H.ApplyAsync(Pair);
        var response = await _http.PostAsJsonAsync(new Uri(H.Api, "/api/v1/groups"), new { workflow = "pair", versions = new { alpha = "v2", beta = "v4" } });
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        // A member's id is in the group from the moment its start is decided, a moment before its release is there.
        var alpha = Member(await WaitAsync(id, g => Member(g, "alpha", "release") is not null, "alpha started"), "alpha", "release")!;
        await H.WaitAsync(alpha, r => r is { Phase: ReleasePhase.Progressing, PauseUntil: not null }, "alpha in its timed pause");
        return (id, alpha);
    }

    /// <summary>Records a group action as the controller that took it does first, and carries it to no member.</summary>
    private static async Task RecordOnlyAsync(ReleaseGroupStore store, string id, OperatorAction action)
    {
        var (group, revision) = await store.GetAsync(id, default);
        var (acting, refused) = ReleaseGroupDecider.Act(group!, action, "ops", DateTimeOffset.UtcNow);
        Assert.True(acting is not null, refused);
        Assert.Equal(ReleaseWriteOutcome.Written, (await store.SaveAsync(acting, revision, null, default)).Outcome);
    }

    private async Task<JsonObject> ActAsync(string id, string action)
    {
        var response = await _http.PostAsJsonAsync(new Uri(H.Api, $"/api/v1/groups/{id}/{action}"), new { actor = "ops" });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task BadStarts_AreRefusedSayingWhatAndWhere_AndStartNothing()
    {
        await H.ServiceAsync("alpha", Steps);
        await H.ServiceAsync("beta", Steps);
        await H.ApplyAsync(Pair);

        var missing = await _http.PostAsJsonAsync(new Uri(H.Api, "/api/v1/groups"), new { workflow = "nope", versions = new { alpha = "v2" } });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no ReleaseGroupWorkflow named \\\"nope\\\"; stored: pair", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var wrong = await _http.PostAsJsonAsync(new Uri(H.Api, "/api/v1/groups"), new { workflow = "pair", versions = new { alpha = "v2", gamma = "v2" } });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var errors = (await wrong.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains("versions.beta: no version given; every member needs one (alpha, beta)", errors);
        Assert.Contains("versions.gamma: not a member of this group (its members: alpha, beta)", errors);

        var busy = await H.StartAsync("beta", "v2");
        var taken = await _http.PostAsJsonAsync(new Uri(H.Api, "/api/v1/groups"), new { workflow = "pair", versions = new { alpha = "v2", beta = "v4" } });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains($"service beta has an active release {busy.Id}", await taken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await _http.GetFromJsonAsync<JsonArray>(new Uri(H.Api, "/api/v1/groups")))!);
        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.StartAsync(new StartRequest { Service = "alpha", Version = "v2", Workflow = "alpha-flow", Actor = "test" }, default)).Outcome);
    }
}
