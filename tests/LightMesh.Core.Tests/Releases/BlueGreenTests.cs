using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using static LightMesh.Core.Tests.Releases.ReleaseRouteDocuments;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// <c>strategy: blueGreen</c>: how it is read and checked, the steps a release of it carries out (the preview at full
/// size, its header route, the pre-promotion analysis before the switch), and the switch at once into the window the
/// <c>scaleDownDelay</c> holds.
/// </summary>
public sealed class BlueGreenTests
{
    private const string Document = """
        apiVersion: lightmesh.io/v1
        kind: ReleaseWorkflow
        metadata: {name: bg}
        spec:
          strategy: blueGreen
          prePromotionAnalysis: {templates: [smoke]}
          postPromotionAnalysis: {templates: [error-rate]}
          scaleDownDelay: 30s
          steps:
          - deploy: {}
          - approval: {}
          - promote: {}
        """;

    private static readonly ReleaseWorkflowSpec Spec = ((ReleaseWorkflow)Parsed(Document)[0]).Spec;

    /// <summary>checkout, deployed by LightMesh with three stable replicas per node.</summary>
    private static MeshService Service()
    {
        var service = (MeshService)Parsed(TestMeshes.Service(image: "registry.local/checkout"))[0];
        return service with { Spec = service.Spec with { Deploy = service.Spec.Deploy! with { Replicas = 3 } } };
    }

    [Fact]
    public void Parse_BlueGreenWithItsSettings_AndWriteReadsBackTheSame()
    {
        Assert.Equal(ReleaseStrategy.BlueGreen, Spec.Strategy);
        Assert.Equal(["smoke"], Spec.PrePromotionAnalysis!.Templates);
        Assert.Equal(["error-rate"], Spec.PostPromotionAnalysis!.Templates);
        Assert.Equal(TimeSpan.FromSeconds(30), Spec.RollbackWindow?.Value);
        Assert.Equal(["smoke", "error-rate"], Spec.TemplateNames());
        AssertReadsBackTheSame(Spec);
    }

    [Fact]
    public void Steps_ThePreviewAtFullSize_ItsHeaderRoute_AndThePrePromotionAnalysisBeforeTheSwitch()
    {
        var steps = ReleaseStrategies.Steps(Spec, Service()).Steps;

        Assert.Equal(["deploy", "setHeaderRoute", "approval", "analysis", "promote"], steps.Select(s => s.Type));
        Assert.Equal(3, Assert.IsType<DeployStep>(steps[0]).Replicas);
        var preview = Assert.IsType<SetHeaderRouteStep>(steps[1]);
        Assert.Equal((ReleaseStrategies.PreviewRoute, ReleaseStrategies.PreviewHeader, "true"), (preview.Name, preview.Match.Single().Name, preview.Match.Single().Value.Value));
        Assert.Equal(["smoke"], Assert.IsType<AnalysisStep>(steps[3]).Templates);

        var canary = Workflow("  - deploy: {}\n  - setWeight: 10\n  - promote: {}\n");
        Assert.Same(canary, ReleaseStrategies.Steps(canary, Service()));
    }

    [Fact]
    public void Release_TheCanarySeesNoWeightBeforePromote_WhichSwitchesAllAtOnce_IntoTheScaleDownDelay()
    {
        var t0 = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        var d = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "bg", ReleaseStrategies.Steps(Spec, Service()), "ci", t0);
        Assert.Equal(new DeployCanary(3), d.Command);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(0), t0);
        Assert.Equal(ReleaseStrategies.PreviewRoute, Assert.IsType<SetReleaseRoute>(d.Command).Route.Name);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(1), t0);
        d = ReleaseDecider.Decide(d.State, new OperatorInput(OperatorAction.Approve, "ops"), t0);
        Assert.IsType<RunAnalysis>(d.Command);
        d = ReleaseDecider.Decide(d.State, new AnalysisEnded(3, Core.Analysis.AnalysisPhase.Successful, "fine"), t0);
        Assert.Equal((new Promote(PromotionMove.CanaryTakesAll), 0, 100), (d.Command, d.State.CanaryWeight, ReleaseMoves.PromotionWeight(d.State)));

        d = ReleaseDecider.Decide(d.State, new PromotionMoved(4, PromotionMove.CanaryTakesAll), t0);
        Assert.Equal((PromotionMove.PreviousKept, t0.AddSeconds(30)), (d.State.Promotion, d.State.PauseUntil));
        Assert.Equal(["error-rate"], Assert.IsType<RunAnalysis>(d.Command).Templates);
    }
}
