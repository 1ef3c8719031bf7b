using CsCheck;
using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// ReleaseGroupWorkflow documents: how they are read and written (their errors are among InvalidDocumentTests), what they must satisfy
/// against the other documents, and the order their members start in. A failing generated case prints CsCheck's seed
/// (<c>Set seed: "..."</c>); pass it as <c>seed:</c> to <c>Sample</c>, or set <c>CsCheck_Seed</c>, to replay it.
/// </summary>
public sealed class ReleaseGroupWorkflowTests
{
    private const string Head = "apiVersion: lightmesh.io/v1\nkind: ReleaseGroupWorkflow\nmetadata: {name: shop}\n";

    private static string Example => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "group-shop.yaml"));

    private static ReleaseGroupSpec Spec(string yaml)
    {
        var parsed = DocumentParser.Parse(yaml, "g.yaml");
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        return ((ReleaseGroupWorkflow)parsed.Documents.Single().Document).Spec;
    }

    [Fact]
    public void Parse_Example_ReadsEveryField_AndTheMembersStartInTheirOrder()
    {
        var spec = Spec(Example);

        Assert.Equal([("payments", "canary", ""), ("checkout", "canary", "payments")], spec.Members.Select(m => (m.Service, m.Workflow, string.Join(",", m.After))));
        Assert.Equal(new PromotedGate(), spec.Gate);
        Assert.Equal(["envoy-error-rate"], spec.Analysis!.Templates);
        Assert.Equal(MemberFailurePolicy.RollbackAll, spec.OnMemberFailure);
        Assert.Empty(spec.Notifications);
        Assert.Equal(["payments", "checkout"], ReleaseGroupOrder.Order(spec.Members)!.Select(m => m.Service));
    }

    [Fact]
    public void Example_IsValidBesideTheExampleMeshAndTheWorkflowsItNames()
    {
        var files = new[] { "group-shop.yaml", "mesh.yaml", "workflows/canary.yaml", "analysis/envoy.yaml" };
        var documents = files.SelectMany(f => DocumentParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", f)), f).Documents).ToList();

        Assert.Empty(DocumentSetValidator.Validate(documents, complete: true));
    }

    [Theory]
    [InlineData("promoted", "promoted")]
    [InlineData("step 3", "step 3")]
    [InlineData("weight  50", "weight 50")]
    public void Parse_Gates_AndWriteThemBack(string written, string read)
    {
        var spec = Spec(Head + $"spec: {{members: [{{service: a, workflow: w}}], gate: '{written}', onMemberFailure: rollbackDependants}}\n");

        Assert.Equal(read, spec.Gate!.Text);
        Assert.Equal(MemberFailurePolicy.RollbackDependants, spec.OnMemberFailure);
        var again = (ReleaseGroupWorkflow)DocumentParser.Parse(YamlText.Write([DocumentCodec.Write(new ReleaseGroupWorkflow { ApiVersion = "lightmesh.io/v1", Metadata = new ObjectMeta { Name = "g" }, Spec = spec })]), "again").Documents.Single().Document;
        Assert.Equal((spec.Gate, spec.OnMemberFailure), (again.Spec.Gate, again.Spec.OnMemberFailure));
    }

    [Fact]
    public void Parse_GateAndPolicyUnset_StayUnset_SoTheDocumentWritesBackAsWritten()
    {
        var spec = Spec(Head + "spec: {members: [{service: a, workflow: w}]}\n");

        Assert.Null(spec.Gate);
        Assert.Null(spec.OnMemberFailure);
        Assert.Null(spec.Analysis);
    }

    [Fact]
    public void Validate_AgainstTheStore_MembersWorkflowsAndTemplatesMustExist_AndAStepGateBeWithinTheWorkflows()
    {
        var yaml = string.Join("\n---\n",
            "apiVersion: lightmesh.io/v1\nkind: Service\nmetadata: {name: payments}\nspec: {protocol: grpc, port: 8080}",
            "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: short}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {}",
            Head + "spec:\n  gate: step 3\n  analysis: {templates: [e2e-errors]}\n  members:\n  - {service: payments, workflow: short}\n  - {service: checkout, workflow: slow, after: [payments]}");
        var documents = DocumentParser.Parse(yaml, "g.yaml").Documents;

        var errors = DocumentSetValidator.Validate(documents, complete: true).Select(e => $"{e.Path}: {e.Message}").ToList();

        Assert.Equal(
            [
                "spec.gate: step 3 is past the end of payments's workflow short (2 steps), and members start after it",
                "spec.members[1].service: no Service named \"checkout\"",
                "spec.members[1].workflow: no ReleaseWorkflow named \"slow\"",
                "spec.analysis.templates[0]: no AnalysisTemplate named \"e2e-errors\"",
            ],
            errors);
        Assert.Empty(DocumentSetValidator.Validate(documents, complete: false));
    }

    [Fact]
    public void Dependants_AreEveryMemberAfterOne_DirectlyOrThroughOthers()
    {
        var spec = Spec(Head + "spec:\n  members:\n  - {service: a, workflow: w}\n  - {service: b, workflow: w, after: [a]}\n  - {service: c, workflow: w, after: [b]}\n  - {service: d, workflow: w}\n  - {service: e, workflow: w, after: [d, a]}\n");

        Assert.Equal(["b", "c", "e"], ReleaseGroupOrder.Dependants(spec.Members, "a").Order(StringComparer.Ordinal));
        Assert.Equal(["c"], ReleaseGroupOrder.Dependants(spec.Members, "b"));
        Assert.Empty(ReleaseGroupOrder.Dependants(spec.Members, "c"));
    }

    [Fact]
    public void Order_OfAnyAcyclicGroup_HasEveryMemberOnce_EachAfterAllItWaitsFor() =>
        ReleaseGroupGen.Acyclic.Sample(members =>
        {
            var order = ReleaseGroupOrder.Order(members);

            Assert.NotNull(order);
            Assert.Null(ReleaseGroupOrder.FindCycle(members));
            Assert.Equal(members.Select(m => m.Service).Order(StringComparer.Ordinal), order.Select(m => m.Service).Order(StringComparer.Ordinal));
            var position = order.Select((m, i) => (m.Service, i)).ToDictionary(x => x.Service, x => x.i, StringComparer.Ordinal);
            Assert.All(members, m => Assert.All(m.After, before => Assert.True(position[before] < position[m.Service], $"{m.Service} starts before {before}")));
        });

    [Fact]
    public void FindCycle_OnceAnEdgeClosesALoop_NamesARealCycle_AndThereIsNoOrder() =>
        ReleaseGroupGen.Acyclic.Where(members => members.Any(m => m.After.Count > 0)).Sample(members =>
        {
            // The first member that waits for another makes that one (or one it waits for) wait for it in turn.
            var waiting = members.First(m => m.After.Count > 0);
            var closed = members.Select(m => m.Service == waiting.After[0] ? m with { After = [.. m.After, waiting.Service] } : m).ToList();

            var cycle = ReleaseGroupOrder.FindCycle(closed);

            Assert.Null(ReleaseGroupOrder.Order(closed));
            Assert.NotNull(cycle);
            var after = closed.ToDictionary(m => m.Service, m => m.After, StringComparer.Ordinal);
            for (var i = 0; i < cycle.Services.Count; i++)
            {
                var next = cycle.Services[(i + 1) % cycle.Services.Count];
                Assert.Contains(next, after[cycle.Services[i]]);
            }
        });
}
