using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// <c>strategy: blueGreen</c> against a real etcd, control plane and Prometheus: until promote the preview takes nothing
/// but the requests that carry its header; promote switches all the traffic at once; a failing post-promotion analysis
/// switches it back to the old version, which ran on; a passing one holds the scale-down delay, which promote ends.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class BlueGreenReleaseTests(EtcdFixture etcd) : ReleaseRoutesTestBase(etcd, Steps)
{
    private const string Steps = "  - deploy: {}\n  - pause: {}\n  - promote: {}\n";
    private const string Settings = "  strategy: blueGreen\n  postPromotionAnalysis: {templates: [error-ratio]}\n  scaleDownDelay: 10m";

    /// <summary>The release of <paramref name="version"/>, paused before the switch, with the preview reached through its header only.</summary>
    private async Task<ReleaseState> PreviewAsync(string service, string version)
    {
        await H.ApplyAsync(ControllerHarness.ServiceDocuments(service, Steps, Settings));
        await H.InstancesAsync(service, "v1", version);
        var release = await H.StartAsync(service, version);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);

        var routes = await RoutesAsync(service);
        Assert.Equal(["lightmesh-release-preview", "primary"], routes.Spec.Http.Select(r => r.Name));
        Assert.Equal(new StringMatch(StringMatchKind.Exact, "true"), routes.Spec.Http[0].Match.Single().Headers[ReleaseStrategies.PreviewHeader]);
        Assert.Equal("canary", routes.Spec.Http[0].Route.Single().Destination.Subset);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync(service));
        return release;
    }

    [Fact]
    public async Task FailingPostPromotionAnalysis_SwitchesBackToTheOldVersionAtOnce()
    {
        var release = await PreviewAsync("alpha", "v3");

        await H.Releases.ActAsync(release.Id, OperatorAction.Resume, "ops", default);
        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.RolledBack);

        Assert.StartsWith("post-promotion analysis failed: ", done.RollingBack, StringComparison.Ordinal);
        Assert.Contains(done.Events, e => e.Action == ReleaseEvents.PreviousKept);
        Assert.Equal([0, 100, 0], ReleaseTimeline.Weights(done).Select(p => p.Weight));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("alpha"));
        Assert.Equal(["primary"], (await RoutesAsync("alpha")).Spec.Http.Select(r => r.Name));
        Assert.Equal("v1", await H.StableVersionAsync("alpha"));
    }

    [Fact]
    public async Task PassingPostPromotionAnalysis_HoldsTheScaleDownDelay_WhichPromoteEnds()
    {
        var release = await PreviewAsync("beta", "v2");

        await H.Releases.ActAsync(release.Id, OperatorAction.Resume, "ops", default);
        var held = await H.WaitAsync(release.Id, r => r.Promotion == PromotionMove.PreviousKept && r.PostPromotionChecked, "the scale-down delay, analysis passed");
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 0, ["canary"] = 100 }, await H.WeightsAsync("beta"));
        Assert.InRange(held.PauseUntil!.Value - held.LastProgressAt, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));

        await H.Releases.ActAsync(release.Id, OperatorAction.Promote, "ops", default);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded);

        Assert.Equal("v2", await H.StableVersionAsync("beta"));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("beta"));
        Assert.Equal(["primary"], (await RoutesAsync("beta")).Spec.Http.Select(r => r.Name));
    }
}
