using LightMesh.Core.Releases;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// <c>promote: {steps, interval}</c> against a real etcd and control plane: each weight is written (and waited for) and
/// held for the interval before the next; the release then ends as any promotion does, and an abort while a weight is
/// held sends everything back to the old version.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class PromotionStepsReleaseTests(EtcdFixture etcd) : ControllerTestBase(etcd)
{
    [Fact]
    public async Task SteppedPromotion_WritesEachWeightHoldsItForTheInterval_ThenSucceeds()
    {
        await H.ServiceAsync("zeta", "  - deploy: {}\n  - setWeight: 20\n  - promote: {steps: [40, 70, 100], interval: 1s}\n", null, "v1", "v2");
        var release = await H.StartAsync("zeta", "v2");

        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded);

        var steps = done.Events.Where(e => e.Action == ReleaseEvents.PromotionStep).ToList();
        Assert.Equal([ReleaseEvents.CanaryAt(40), ReleaseEvents.CanaryAt(70)], steps.Select(e => e.Reason));
        Assert.True(steps[1].At - steps[0].At >= TimeSpan.FromSeconds(1), $"70% came {steps[1].At - steps[0].At} after 40%");
        Assert.True(done.Events[^1].At - steps[1].At >= TimeSpan.FromSeconds(1), $"the promotion went on {done.Events[^1].At - steps[1].At} after 70%");
        Assert.Equal([0, 20, 40, 70, 100], ReleaseTimeline.Weights(done).Select(p => p.Weight));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("zeta"));
        Assert.Equal("v2", await H.StableVersionAsync("zeta"));
    }

    [Fact]
    public async Task AbortWhileAWeightIsHeld_SendsEverythingBackToTheOldVersion()
    {
        await H.ServiceAsync("eta", "  - deploy: {}\n  - setWeight: 20\n  - promote: {steps: [60, 100], interval: 5m}\n", null, "v1", "v2");
        var release = await H.StartAsync("eta", "v2");

        var held = await H.WaitAsync(release.Id, r => r.PauseUntil is not null && r.Promotion == PromotionMove.CanaryTakesAll, "holding 60%");
        Assert.Equal((60, ReleasePhase.Progressing), (held.CanaryWeight, held.Phase));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 40, ["canary"] = 60 }, await H.WeightsAsync("eta"));

        await H.Releases.ActAsync(release.Id, OperatorAction.Abort, "ops", default);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Aborted);

        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("eta"));
        Assert.Equal("v1", await H.StableVersionAsync("eta"));
    }
}
