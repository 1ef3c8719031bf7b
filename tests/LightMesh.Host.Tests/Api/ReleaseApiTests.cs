using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LightMesh.Testing;

namespace LightMesh.Host.Tests.Api;

/// <summary>The release endpoints over HTTP: errors are problem details that name what was wrong, and change nothing.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ReleaseApiTests(EtcdFixture etcd) : ControllerTestBase(etcd), IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public override async Task InitializeAsync()
    {
        _http.DefaultRequestHeaders.Authorization = new("Bearer", ControllerHarness.Token);
        await base.InitializeAsync();
    }

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, string? ContentType, JsonElement Body)> PostAsync(string path, string body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(H.Api, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Start_SentAgainWithItsIdempotencyKey_AnswersTheFirstRelease_WhileItRunsAndAfterItEnded()
    {
        await H.ServiceAsync("gamma", "  - deploy: {}\n  - pause: {}\n  - promote: {}");
        const string start = """{"service": "gamma", "version": "v2", "workflow": "gamma-flow", "actor": "ci"}""";

        var (first, _, made) = await PostAsync("api/v1/releases", start, "pipeline-41");
        var id = made.GetProperty("id").GetString()!;
        var (again, _, answered) = await PostAsync("api/v1/releases", start, "pipeline-41");
        var (otherKey, _, busy) = await PostAsync("api/v1/releases", start, "pipeline-42");

        Assert.Equal(HttpStatusCode.Created, first);
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal(id, answered.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Conflict, otherKey);
        Assert.StartsWith($"service gamma has an active release {id}", busy.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);

        // A retry that comes after the release ended still starts nothing new.
        await H.WaitForPhaseAsync(id, Core.Releases.ReleasePhase.Paused);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"api/v1/releases/{id}/abort", "{}")).Status);
        await H.WaitForPhaseAsync(id, Core.Releases.ReleasePhase.Aborted);
        var (late, _, lateRelease) = await PostAsync("api/v1/releases", start, "pipeline-41");
        Assert.Equal(HttpStatusCode.OK, late);
        Assert.Equal("Aborted", lateRelease.GetProperty("phase").GetString());
        Assert.Equal([id], (await H.Releases.AllAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task Start_SentTwiceAtOnceWithOneIdempotencyKey_StartsOneRelease_AndAnswersItToBoth()
    {
        await H.ServiceAsync("delta", "  - deploy: {}\n  - pause: {}\n  - promote: {}");
        const string start = """{"service": "delta", "version": "v2", "workflow": "delta-flow"}""";

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostAsync("api/v1/releases", start, "build-9")));

        var ids = answers.Select(a => a.Body.TryGetProperty("id", out var id) ? id.GetString() : a.Body.ToString()).Distinct().ToList();
        Assert.True(ids.Count == 1, string.Join("\n", ids));
        Assert.Equal(1, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.All(answers, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        Assert.Single(await H.Releases.AllAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\u0001b")]
    [InlineData(null)]
    public async Task Start_WithAnIdempotencyKeyThatIsEmptyTooLongOrNotPrintable_Is400NamingTheHeader_AndStartsNothing(string? key)
    {
        await H.ServiceAsync("kappa", "  - deploy: {}\n  - pause: {}\n  - promote: {}");

        var (status, _, problem) = await PostAsync("api/v1/releases", """{"service": "kappa", "version": "v2", "workflow": "kappa-flow"}""", key ?? new string('k', 201));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Idempotency-Key: must be 1 to 200 printable characters, the same on every retry of one start", problem.GetProperty("errors")[0].GetString());
        Assert.Empty(await H.Releases.AllAsync());
    }

    [Fact]
    public async Task Start_WithTheIdempotencyKeyOfAnotherStart_Is409NamingBoth_AndStartsNothing()
    {
        await H.ServiceAsync("omega", "  - deploy: {}\n  - pause: {}\n  - promote: {}");
        var (_, _, made) = await PostAsync("api/v1/releases", """{"service": "omega", "version": "v2", "workflow": "omega-flow"}""", "deploy-3");

        var (status, _, problem) = await PostAsync("api/v1/releases", """{"service": "omega", "version": "v2", "workflow": "canary"}""", "deploy-3");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(
            $"release {made.GetProperty("id").GetString()} already exists as a release of omega v2 with workflow omega-flow, not omega v2 with workflow canary: a new start needs a new idempotency key",
            problem.GetProperty("errors")[0].GetString());
        Assert.Single(await H.Releases.AllAsync());
    }

    [Theory]
    [InlineData("{\"service\": 12, \"version\": \"v2\"}", "$.service")]
    [InlineData("{\"version\": \"v2\"}", "service: required")]
    [InlineData("[1, 2]", "body")]
    public async Task Start_BadBody_IsAProblemNamingTheField(string body, string named)
    {
        var (status, type, problem) = await PostAsync("api/v1/releases", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", type);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains(named, problem.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(await H.Releases.AllAsync());
    }

    [Fact]
    public async Task Start_ArgumentsTheTemplatesDoNotDeclareOrCannotTake_Are400NamingEach_AndStartNothing()
    {
        await H.ApplyAsync(TestMeshes.ErrorsTemplate("alpha-errors"));
        await H.ServiceAsync("alpha", "  - deploy: {}\n  - analysis: {templates: [alpha-errors]}\n  - promote: {}");

        var (status, type, problem) = await PostAsync("api/v1/releases",
            """{"service": "alpha", "version": "v2", "workflow": "alpha-flow", "args": {"max-error-rate": "0.02 or true", "region": "eu", "canary": "v9"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", type);
        Assert.Equal(
            [
                "args.canary: is given by every run (service, port, canary, stable, namespace, interval) and cannot be set",
                "args.max-error-rate: \"0.02 or true\" is not a number (a number is written like 0.05, -2 or 1e-3), which successCondition of alpha-errors/errors needs",
                "args.region: is not declared by the AnalysisTemplate workflow alpha-flow runs: alpha-errors (max-error-rate)",
            ],
            problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(await H.Releases.AllAsync());
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("api/v1/releases", """{"service": "alpha", "version": "v2", "workflow": "alpha-flow", "args": {"max-error-rate": "0.02"}}""")).Status);
    }

    [Fact]
    public async Task Start_UnknownService_Is404_AndAnUnknownActionToo()
    {
        var (status, _, problem) = await PostAsync("api/v1/releases", "{\"service\": \"nosuch\", \"version\": \"v2\", \"workflow\": \"w\"}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("service: no Service named \"nosuch\"; lightmesh get services lists them, and apply -f adds one", problem.GetProperty("errors")[0].GetString());

        await H.ServiceAsync("alpha", "  - deploy: {}\n  - pause: {}\n  - promote: {}");
        var release = await H.StartAsync("alpha", "v2");
        var (actionStatus, _, actionProblem) = await PostAsync($"api/v1/releases/{release.Id}/explode", "{}");
        Assert.Equal(HttpStatusCode.NotFound, actionStatus);
        Assert.StartsWith("action: \"explode\" is not one of", actionProblem.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Action_ThatDoesNotApply_Is409WithTheReasonAndTheRelease_AndAChunkedBodyNamesTheActor()
    {
        await H.ServiceAsync("beta", "  - deploy: {}\n  - pause: {}\n  - promote: {}");
        var release = await H.StartAsync("beta", "v2");
        await H.WaitForPhaseAsync(release.Id, Core.Releases.ReleasePhase.Paused);

        var (status, _, problem) = await PostAsync($"api/v1/releases/{release.Id}/approve", "{\"actor\": \"carol\"}");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.StartsWith("approve: nothing to approve", problem.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(release.Id, problem.GetProperty("release").GetProperty("id").GetString());

        using var chunked = await _http.PostAsJsonAsync(new Uri(H.Api, $"api/v1/releases/{release.Id}/abort"), new { actor = "carol" });
        Assert.Equal(HttpStatusCode.OK, chunked.StatusCode);
        var aborted = await H.WaitForPhaseAsync(release.Id, Core.Releases.ReleasePhase.Aborted);
        Assert.Contains(aborted.Events, e => e.Action == "rolling back" && e.Actor == "carol");
    }
}
