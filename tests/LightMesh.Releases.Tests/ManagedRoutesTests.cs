using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Tests;

/// <summary>
/// Issue 15's scenario on a real controller: a user applies the example's routes, changes weights and forces a change
/// while a release of the service runs, through the HTTP API with an admin's token (its holder is "test").
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ManagedRoutesTests(EtcdFixture etcd) : ControllerTestBase(etcd), IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ControllerHarness.Token);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>examples/checkout.yaml, for <paramref name="service"/>: a rule without the release's subsets, and its own 90/10 default route.</summary>
    private static string Example(string service) =>
        File.ReadAllText(Path.Combine(Repository.Root, "examples", "checkout.yaml")).Replace("checkout", service, StringComparison.Ordinal);

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, new Uri(H.Api, path)) { Content = content };
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> ApplyAsync(string text, bool force = false)
    {
        using var content = new StringContent(text, Encoding.UTF8, "application/yaml");
        return await SendAsync(HttpMethod.Post, $"api/v1/documents{(force ? "?force=true" : "")}", content);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> WeightsAsync(string service, object body, bool force = false)
    {
        using var content = JsonContent.Create(body);
        return await SendAsync(HttpMethod.Post, $"api/v1/documents/virtualservices/{service}/weights{(force ? "?force=true" : "")}", content);
    }

    private static List<string> Errors(JsonElement problem) => [.. problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)];

    private async Task<VirtualService> RoutesAsync(string service) => Assert.IsType<VirtualService>(await H.Documents.GetAsync(DocumentKind.VirtualService, service, default));

    private async Task<IReadOnlyList<string>> SubsetsAsync(string service) =>
        [.. Assert.IsType<DestinationRule>(await H.Documents.GetAsync(DocumentKind.DestinationRule, service, default)).Spec.Subsets.Select(s => s.Name)];

    [Fact]
    public async Task UsersWrites_DuringAPausedRelease_AreRefusedOrKeepItsRoutes_AndAForcedOnePausesItUntilResumed()
    {
        await H.ServiceAsync("kappa", "  - deploy: {}\n  - setWeight: 25\n  - pause: {}\n  - setWeight: 50\n  - pause: {}\n  - promote: {}");
        var id = (await H.StartAsync("kappa", "v2")).Id;
        await H.WaitAsync(id, r => r.Phase == ReleasePhase.Paused && r.Step == 2, "paused at the pause step after 25%");
        var releasesRoutes = new Dictionary<string, int> { ["stable"] = 75, ["canary"] = 25 };

        // The issue: the example applied over a running release. Refused, naming the release, and nothing changes.
        var (refused, problem) = await ApplyAsync(Example("kappa"));
        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Equal([$"VirtualService/kappa spec.http[1].route: managed by release {id} (active); abort or finish it, or apply with --force"], Errors(problem));
        Assert.Equal(releasesRoutes, await H.WeightsAsync("kappa"));
        Assert.Equal(["stable", "canary"], await SubsetsAsync("kappa"));

        // The example's rule and a route of the user's own beside the release's: written, the release's parts kept.
        var routes = await RoutesAsync("kappa");
        var withBeta = routes with
        {
            Spec = routes.Spec with
            {
                Http = [new HttpRoute { Name = "beta", Match = [new HttpMatchRequest { Uri = new StringMatch(StringMatchKind.Prefix, "/beta/") }], Route = [new HttpRouteDestination { Destination = new Destination { Host = "kappa", Subset = "v2" } }] }, .. routes.Spec.Http],
            },
        };
        var rule = Example("kappa").Split("\n---\n")[0];
        var (applied, _) = await ApplyAsync($"{rule}\n---\n{DocumentCodec.Write(withBeta).ToJsonString()}");
        Assert.Equal(HttpStatusCode.OK, applied);
        Assert.Equal(["v1", "v2", "stable", "canary"], await SubsetsAsync("kappa"));
        Assert.Equal(["beta", "primary"], (await RoutesAsync("kappa")).Spec.Http.Select(r => r.Name));
        Assert.Equal(releasesRoutes, await H.WeightsAsync("kappa"));

        // Weights: the release's route is refused, the user's own route is theirs.
        var (managedWeights, weightsProblem) = await WeightsAsync("kappa", new { weights = new { stable = 100, canary = 0 } });
        var (betaWeights, _) = await WeightsAsync("kappa", new { route = "beta", weights = new { v1 = 50, v2 = 50 } });
        Assert.Equal(HttpStatusCode.Conflict, managedWeights);
        Assert.Contains($"VirtualService/kappa spec.http[1].route: managed by release {id} (active)", Assert.Single(Errors(weightsProblem)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, betaWeights);
        Assert.Equal(releasesRoutes, await H.WeightsAsync("kappa"));

        // Forced: written, and the release, paused already, records who changed what.
        var (forced, _) = await WeightsAsync("kappa", new { weights = new { stable = 100, canary = 0 } }, force: true);
        Assert.Equal(HttpStatusCode.OK, forced);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("kappa"));
        var paused = (await H.Releases.GetAsync(id, default))!;
        Assert.Equal(ReleasePhase.Paused, paused.Phase);
        var changed = paused.Events[^1];
        Assert.Equal(("routes changed", "test"), (changed.Action, changed.Actor));
        Assert.Equal("weights of VirtualService/kappa spec.http[1].route set to stable=100 canary=0", changed.Reason);

        // Resumed, the release goes on and its next step sets its weights again.
        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.ActAsync(id, OperatorAction.Resume, "alice", default)).Outcome);
        await H.WaitAsync(id, r => r.Phase == ReleasePhase.Paused && r.Step == 4, "paused at the pause step after 50%");
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 50, ["canary"] = 50 }, await H.WeightsAsync("kappa"));
    }

    [Fact]
    public async Task ForcedApply_DuringAProgressingRelease_PausesIt_ResumeCarriesOutTheStepAgain_AndOnceItEndsTheRoutesAreTheUsers()
    {
        await H.ServiceAsync("lambda", "  - deploy: {}\n  - setWeight: 25\n  - pause: {duration: 1h}\n  - promote: {}");
        var id = (await H.StartAsync("lambda", "v2")).Id;
        var waiting = await H.WaitAsync(id, r => r.Step == 2 && r.PauseUntil is not null, "the one-hour pause");

        var (forced, _) = await ApplyAsync(Example("lambda"), force: true);

        Assert.Equal(HttpStatusCode.OK, forced);
        var paused = (await H.Releases.GetAsync(id, default))!;
        Assert.Equal((ReleasePhase.Paused, PauseKind.RoutesChanged), (paused.Phase, paused.PausedFor));
        Assert.Equal(("paused", "test", "routes changed by test: applied VirtualService/lambda spec.http[1].route"), (paused.Events[^1].Action, paused.Events[^1].Actor, paused.Events[^1].Reason));
        Assert.Equal(["v1", "v2", "stable", "canary"], await SubsetsAsync("lambda"));
        Assert.Equal(new Dictionary<string, int> { ["v1"] = 90, ["v2"] = 10 }, await H.WeightsAsync("lambda"));

        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.ActAsync(id, OperatorAction.Resume, "alice", default)).Outcome);
        var resumed = await H.WaitAsync(id, r => r.Phase == ReleasePhase.Progressing && !r.RestoringRoutes, "resumed, its routes taken back");
        Assert.Equal((2, waiting.PauseUntil), (resumed.Step, resumed.PauseUntil));
        Assert.Equal("routes restored", resumed.Events[^1].Action);
        Assert.Equal(new Dictionary<string, int> { ["v1"] = 0, ["v2"] = 0, ["stable"] = 75, ["canary"] = 25 }, await H.WeightsAsync("lambda"));

        // Once the release has ended, the canary takes nothing and the routes are the users' again, without --force.
        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.ActAsync(id, OperatorAction.Abort, "alice", default)).Outcome);
        await H.WaitForPhaseAsync(id, ReleasePhase.Aborted);
        Assert.Equal(0, (await H.WeightsAsync("lambda")).GetValueOrDefault("canary"));
        var (afterwards, _) = await ApplyAsync(Example("lambda").Replace("weight: 90", "weight: 80", StringComparison.Ordinal).Replace("weight: 10", "weight: 20", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, afterwards);
        Assert.Equal(new Dictionary<string, int> { ["v1"] = 80, ["v2"] = 20 }, await H.WeightsAsync("lambda"));
    }
}
