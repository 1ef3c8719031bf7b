using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// <c>rollbackWindow</c> and <c>postPromotionAnalysis</c> against a real etcd, control plane and Prometheus: once the new
/// version takes all the traffic, the old one is still the stable subset and still registered; a rollback inside the
/// window (through <c>POST /api/v1/services/{name}/rollback</c>) or a failing post-promotion analysis moves the traffic
/// back to it, with nothing deployed; a passing analysis lets the promotion end.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class RollbackWindowReleaseTests(EtcdFixture etcd) : ControllerTestBase(etcd), IDisposable
{
    private const string Steps = "  - deploy: {}\n  - setWeight: 20\n  - promote: {}\n";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, JsonElement Body)> RollBackAsync(string service)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(H.Api, $"api/v1/services/{service}/rollback")) { Content = JsonContent.Create(new { actor = "ops" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ControllerHarness.Token);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task RollbackInsideTheWindow_MovesAllTrafficBackToTheOldVersion_WhichNeverStoppedBeingStable()
    {
        await H.ServiceAsync("theta", Steps, "  rollbackWindow: {duration: 10m}", "v1", "v2");
        Assert.Equal(HttpStatusCode.NotFound, (await RollBackAsync("theta")).Status);
        var release = await H.StartAsync("theta", "v2");

        var held = await H.WaitAsync(release.Id, r => r.Promotion == PromotionMove.PreviousKept, "holding the rollback window");
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 0, ["canary"] = 100 }, await H.WeightsAsync("theta"));
        Assert.Equal("v1", await H.StableVersionAsync("theta"));
        Assert.StartsWith("promoted: v2 takes all the traffic; v1 keeps running until ", ReleaseText.Why(ReleaseView.From(held)), StringComparison.Ordinal);

        var (status, body) = await RollBackAsync("theta");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(release.Id, body.GetProperty("id").GetString());

        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.RolledBack);
        Assert.Equal("rolled back by ops inside the rollback window", done.RollingBack);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("theta"));
        Assert.Equal("v1", await H.StableVersionAsync("theta"));

        // No release is active now: nothing to roll back.
        Assert.Equal(HttpStatusCode.NotFound, (await RollBackAsync("theta")).Status);
    }

    [Fact]
    public async Task Supersede_OfAReleaseHoldingItsWindow_EndsItsPromotion_AndTheNewReleaseStartsFromThatVersion()
    {
        await H.ServiceAsync("delta", Steps, "  rollbackWindow: {duration: 10m}", "v1", "v2", "v4");
        var first = await H.StartAsync("delta", "v2");
        await H.WaitAsync(first.Id, r => r.Promotion == PromotionMove.PreviousKept, "holding the rollback window");

        var second = await H.StartAsync("delta", "v4", supersede: true);

        var ended = (await H.Releases.GetAsync(first.Id, default))!;
        Assert.Equal(ReleasePhase.Succeeded, ended.Phase);
        Assert.Contains(ended.Events, e => e is { Action: "window ended", Actor: "test (superseded by v4)" });
        Assert.Equal(("v4", "v2"), (second.Version, second.StableVersion));
        Assert.Equal("v2", await H.StableVersionAsync("delta"));
    }

    [Fact]
    public async Task FailingPostPromotionAnalysis_MovesTheTrafficBack()
    {
        await H.ServiceAsync("beta", Steps, "  postPromotionAnalysis: {templates: [error-ratio]}", "v1", "v3");
        var release = await H.StartAsync("beta", "v3");

        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.RolledBack);

        Assert.StartsWith("post-promotion analysis failed: ", done.RollingBack, StringComparison.Ordinal);
        Assert.Contains(done.Events, e => e.Action == ReleaseEvents.PreviousKept);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("beta"));
        Assert.Equal("v1", await H.StableVersionAsync("beta"));
    }

    [Fact]
    public async Task PassingPostPromotionAnalysis_LetsThePromotionEnd_AndARollbackBeforeTheSwitchIsRefused()
    {
        await H.ServiceAsync("gamma", "  - deploy: {}\n  - setWeight: 20\n  - pause: {}\n  - promote: {}\n", "  postPromotionAnalysis: {templates: [error-ratio]}", "v1", "v2");
        var release = await H.StartAsync("gamma", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);

        var (status, body) = await RollBackAsync("gamma");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("no rollback window is open", body.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);

        await H.Releases.ActAsync(release.Id, OperatorAction.Resume, "ops", default);
        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded);

        Assert.Contains(done.Events, e => e.Action == "post-promotion analysis passed");
        Assert.Equal("v2", await H.StableVersionAsync("gamma"));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("gamma"));
    }
}
