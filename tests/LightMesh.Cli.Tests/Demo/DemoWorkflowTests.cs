using LightMesh.Demo;
using LightMesh.Core.Analysis;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Cli.Tests.Demo;

public sealed class DemoWorkflowTests
{
    private static string Workflows(string file) => File.ReadAllText(Path.Combine(CliProcess.RepositoryRoot, "workflows", file));

    private static List<Core.Documents.Document> FastDocuments(int factor, DemoStrategy strategy = DemoStrategy.Canary)
    {
        var (file, name) = DemoDocuments.Workflow(strategy);
        var parsed = DocumentParser.Parse(DemoDocuments.FastWorkflow(Workflows(file), file, name, Workflows("analysis/demo.yaml"), factor), "fast");
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        Assert.Empty(DocumentSetValidator.Validate(parsed.Documents, complete: true));
        return parsed.Documents.Select(d => d.Document).ToList();
    }

    [Fact]
    public void FastWorkflow_OfCanary_KeepsEveryStepAndDividesEveryDuration()
    {
        var canary = (ReleaseWorkflow)DocumentParser.Parse(Workflows("canary.yaml"), "canary.yaml").Documents.Single().Document;

        var fast = FastDocuments(30).OfType<ReleaseWorkflow>().Single();

        Assert.Equal("canary-fast", fast.Name);
        Assert.Equal(canary.Spec.Steps.Select(s => s.Type), fast.Spec.Steps.Select(s => s.Type));
        Assert.Equal(canary.Spec.Steps.OfType<SetWeightStep>(), fast.Spec.Steps.OfType<SetWeightStep>());
        Assert.Equal(["10s", "10s", "10s"], fast.Spec.Steps.OfType<PauseStep>().Select(p => p.Duration!.Value.Text));
        Assert.Equal(TimeSpan.FromMinutes(1), fast.Spec.ProgressDeadline!.Value.Value);
        Assert.Equal(canary.Spec.OnInconclusive, fast.Spec.OnInconclusive);
    }

    [Fact]
    public void FastWorkflow_OfCanary_JudgesByTheDemosMetricsInsteadOfEnvoys()
    {
        var documents = FastDocuments(30);
        var fast = documents.OfType<ReleaseWorkflow>().Single();

        Assert.All(fast.Spec.Steps.OfType<AnalysisStep>(), a => Assert.Equal(["demo-error-rate", "demo-latency-p99"], a.Templates));
        Assert.Equal(["demo-error-rate"], fast.Spec.BackgroundAnalysis!.Templates);
        var templates = documents.OfType<AnalysisTemplate>().ToList();
        Assert.Equal(["demo-error-rate", "demo-latency-p99"], templates.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(templates.SelectMany(t => t.Spec.Metrics), m => Assert.Equal(TimeSpan.FromSeconds(3), m.Interval!.Value.Value));
        Assert.All(templates.SelectMany(t => t.Spec.Metrics), m => Assert.Equal(5, m.Count));
    }

    [Fact]
    public void FastWorkflow_OfBlueGreen_KeepsItsSteps_JudgesBeforeAndAfterTheSwitchByTheDemosMetrics_AndShortensTheDelay()
    {
        var blueGreen = (ReleaseWorkflow)DocumentParser.Parse(Workflows("blue-green.yaml"), "blue-green.yaml").Documents.Single().Document;

        var fast = FastDocuments(30, DemoStrategy.BlueGreen).OfType<ReleaseWorkflow>().Single();

        Assert.Equal("blue-green-fast", fast.Name);
        Assert.Equal(ReleaseStrategy.BlueGreen, fast.Spec.Strategy);
        Assert.Equal(blueGreen.Spec.Steps.Select(s => s.Type), fast.Spec.Steps.Select(s => s.Type));
        Assert.Equal(["demo-error-rate"], fast.Spec.PrePromotionAnalysis!.Templates);
        Assert.Equal(["demo-error-rate", "demo-latency-p99"], fast.Spec.PostPromotionAnalysis!.Templates);
        Assert.Equal(TimeSpan.FromSeconds(20), fast.Spec.RollbackWindow!.Value.Value);
    }

    [Fact]
    public void FastForm_DividesASteppedPromotionsInterval()
    {
        var workflow = (ReleaseWorkflow)DocumentParser.Parse(
            "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {steps: [50, 100], interval: 5m}\n", "w.yaml").Documents.Single().Document;

        var fast = FastForm.Of(workflow, "w-fast", 10, new Dictionary<string, string>());

        Assert.Equal("30s", Assert.IsType<PromoteStep>(fast.Spec.Steps[1]).Interval!.Value.Text);
    }

    [Theory]
    [InlineData("2m", 10, 0, "12s")]
    [InlineData("5m", 30, 0, "10s")]
    [InlineData("30s", 30, 2000, "2s")] // the floor: a rate() window needs scrapes
    [InlineData("45s", 10, 0, "5s")] // rounded to whole seconds (4.5 s)
    [InlineData("1500ms", 2, 0, "750ms")]
    public void Divide_RoundsAndKeepsTheFloor(string duration, int factor, int floorMilliseconds, string expected)
    {
        Assert.True(Duration.TryParse(duration, out var parsed));

        Assert.Equal(expected, FastForm.Divide(parsed, factor, TimeSpan.FromMilliseconds(floorMilliseconds)).Text);
    }

    [Fact]
    public void Mesh_IsValid_AndDeploysTheDemoOnThisMachineWithEverythingOnStable()
    {
        var parsed = DocumentParser.Parse(DemoDocuments.Mesh(18081, "lightmesh-demo", "unix:///var/run/docker.sock", Core.Security.TokenHash.NewToken()), "demo");

        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        Assert.Empty(DocumentSetValidator.Validate(parsed.Documents, complete: true));
        var service = parsed.Documents.Select(d => d.Document).OfType<Core.Mesh.MeshService>().Single();
        Assert.Equal(18081, service.Spec.Port);
        Assert.Equal("v1", service.Spec.Deploy!.StableVersion);
    }

    [Fact]
    public void Mesh_OfTheGroupsServices_PutsEachOnItsOwnPortWithItsOwnRoutes()
    {
        var parsed = DocumentParser.Parse(DemoDocuments.Mesh(["payments", "checkout"], 18081, "lightmesh-demo", "unix:///var/run/docker.sock", Core.Security.TokenHash.NewToken()), "demo");

        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        Assert.Empty(DocumentSetValidator.Validate(parsed.Documents, complete: true));
        var documents = parsed.Documents.Select(d => d.Document).ToList();
        Assert.Equal([("payments", 18081), ("checkout", 18082)], documents.OfType<Core.Mesh.MeshService>().Select(s => (s.Name, s.Spec.Port)));
        Assert.Equal(["payments", "checkout"], documents.OfType<Core.Networking.VirtualService>().Select(v => v.Name));
        Assert.Single(documents.OfType<Core.Mesh.MeshNode>());
    }

    [Fact]
    public void Group_OfTheShopExample_ReleasesEveryMemberWithTheFastWorkflowAndJudgesByTheDemosMetrics()
    {
        var file = Path.Combine(CliProcess.RepositoryRoot, "examples", "group-shop.yaml");

        var group = DemoDocuments.Group(File.ReadAllText(file), "examples/group-shop.yaml", "canary-fast");

        Assert.Equal("shop", group.Name);
        Assert.Equal([("payments", "canary-fast"), ("checkout", "canary-fast")], group.Spec.Members.Select(m => (m.Service, m.Workflow)));
        Assert.Equal(["payments"], group.Spec.Members[1].After);
        Assert.Equal(["demo-error-rate"], group.Spec.Analysis!.Templates);

        // What the demo applies is valid beside the fast workflow, its templates and the group's services.
        var mesh = DemoDocuments.Mesh(["payments", "checkout"], 18081, "lightmesh-demo", "unix:///var/run/docker.sock", Core.Security.TokenHash.NewToken());
        var all = DocumentParser.Parse($"{mesh}\n---\n{DemoDocuments.FastWorkflow(Workflows("canary.yaml"), "canary.yaml", "canary-fast", Workflows("analysis/demo.yaml"), 30)}\n---\n{DemoDocuments.Yaml(group)}", "demo");
        Assert.True(all.IsValid, string.Join("\n", all.Errors));
        Assert.Empty(DocumentSetValidator.Validate(all.Documents, complete: true));
    }
}
