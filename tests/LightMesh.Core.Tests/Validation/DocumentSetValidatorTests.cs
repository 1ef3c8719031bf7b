using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;
using LightMesh.Testing;

namespace LightMesh.Core.Tests.Validation;

public sealed class DocumentSetValidatorTests
{
    private static readonly string Services = TestMeshes.Service();

    private static readonly string Rule = TestMeshes.Rule("checkout", ["v1"]);

    private static List<SourcedDocument> Parse(params string[] yaml)
    {
        var documents = new List<SourcedDocument>();
        for (var i = 0; i < yaml.Length; i++)
        {
            var result = DocumentParser.Parse(yaml[i], $"f{i}.yaml");
            Assert.Empty(result.Errors);
            documents.AddRange(result.Documents);
        }

        return documents;
    }

    private static string RouteTo(string subset, string name = "checkout", int? port = null) =>
        TestMeshes.VirtualService("checkout", [TestMeshes.To("checkout", subset, name: null, port: port)], name);

    [Fact]
    public void Validate_RouteToDefinedSubset_IsValid() =>
        Assert.Empty(DocumentSetValidator.Validate(Parse(Services, Rule, RouteTo("v1")), complete: true));

    [Fact]
    public void Validate_RouteToUndefinedSubset_IsAnErrorAtTheSubset()
    {
        var errors = DocumentSetValidator.Validate(Parse(Services, Rule, RouteTo("v9")), complete: true);

        var error = Assert.Single(errors);
        Assert.Equal("f2.yaml", error.Source);
        Assert.Equal("VirtualService/checkout", error.Document);
        Assert.Equal("spec.http[0].route[0].destination.subset", error.Path);
        Assert.Contains("\"v9\" is not defined by DestinationRule/checkout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SubsetWithoutAnyRule_IsAnErrorOnlyWhenTheSetIsComplete()
    {
        var documents = Parse(Services, RouteTo("v1"));

        Assert.Contains(DocumentSetValidator.Validate(documents, complete: true), e => e.Message.Contains("no DestinationRule for host \"checkout\"", StringComparison.Ordinal));
        Assert.Empty(DocumentSetValidator.Validate(documents, complete: false));
    }

    [Fact]
    public void Validate_HostWithoutService_IsAnError()
    {
        var errors = DocumentSetValidator.Validate(Parse(Rule, RouteTo("v1")), complete: true);

        Assert.Contains(errors, e => e.Path == "spec.hosts[0]" && e.Message == "no Service named \"checkout\"");
        Assert.Contains(errors, e => e.Document == "DestinationRule/checkout" && e.Path == "spec.host");
    }

    [Fact]
    public void Validate_WrongPort_IsAnError() =>
        Assert.Contains(
            DocumentSetValidator.Validate(Parse(Services, Rule, RouteTo("v1", port: 9999)), complete: true),
            e => e.Path == "spec.http[0].route[0].destination.port.number" && e.Message.Contains("port 8080", StringComparison.Ordinal));

    [Fact]
    public void Validate_TwoVirtualServicesForOneHost_IsAnError()
    {
        var errors = DocumentSetValidator.Validate(Parse(Services, Rule, RouteTo("v1"), RouteTo("v1", "checkout-2")), complete: true);

        var error = Assert.Single(errors);
        Assert.Equal("VirtualService/checkout-2", error.Document);
        Assert.Contains("already routed by VirtualService/checkout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WorkflowNamingAMissingTemplate_IsAnErrorAtTheTemplate()
    {
        const string workflow = """
            apiVersion: lightmesh.io/v1
            kind: ReleaseWorkflow
            metadata: {name: w}
            spec:
              steps:
              - deploy: {}
              - analysis: {templates: [error-rate], args: {max-error-rate: "0.1"}}
            """;

        // Only the missing template: without it, which arguments are declared cannot be told.
        var error = Assert.Single(DocumentSetValidator.Validate(Parse(workflow), complete: true));

        Assert.Equal(("spec.steps[1].analysis.templates[0]", "no AnalysisTemplate named \"error-rate\""), (error.Path, error.Message));
    }

    [Fact]
    public void Validate_ArgumentsNoTemplateDeclares_AreErrorsInTheWorkflowTriggerAndSchedule()
    {
        var template = TestMeshes.ErrorsTemplate("error-rate");
        const string workflow = """
            apiVersion: lightmesh.io/v1
            kind: ReleaseWorkflow
            metadata: {name: w}
            spec:
              backgroundAnalysis: {templates: [error-rate], args: {canary: v9}}
              steps:
              - deploy: {}
              - analysis: {templates: [error-rate], args: {max-error-rate: "0.1", region: eu}}
              - analysis: {templates: [error-rate], args: {max-error-rate: "0.1 or true"}}
            """;
        const string trigger = """
            apiVersion: lightmesh.io/v1
            kind: ReleaseTrigger
            metadata: {name: checkout}
            spec: {service: checkout, workflow: w, repository: acme/checkout, args: {max-error-rate: "0.02", region: eu}}
            """;
        const string schedule = """
            apiVersion: lightmesh.io/v1
            kind: Schedule
            metadata: {name: nightly}
            spec: {service: checkout, workflow: w, cron: "0 0 2 * * ?", args: {region: eu}}
            """;

        var errors = DocumentSetValidator.Validate(Parse(Services, template, workflow, trigger, schedule), complete: true).Select(e => $"{e.Document}: {e.Path}: {e.Message}").ToList();

        const string declared = "error-rate (max-error-rate)";
        Assert.Equal(
            [
                $"ReleaseWorkflow/w: spec.steps[1].analysis.args.region: is not declared by the AnalysisTemplate step 1 runs: {declared}",
                "ReleaseWorkflow/w: spec.steps[2].analysis.args.max-error-rate: \"0.1 or true\" is not a number (a number is written like 0.05, -2 or 1e-3), which successCondition of error-rate/errors needs",
                "ReleaseWorkflow/w: spec.backgroundAnalysis.args.canary: is given by every run (service, port, canary, stable, namespace, interval) and cannot be set",
                $"ReleaseTrigger/checkout: spec.args.region: is not declared by the AnalysisTemplate workflow w runs: {declared}",
                $"Schedule/nightly: spec.args.region: is not declared by the AnalysisTemplate workflow w runs: {declared}",
            ],
            errors);
    }

    [Fact]
    public void Validate_SameNameTwice_IsAnError() =>
        Assert.Contains(
            DocumentSetValidator.Validate(Parse(Services, Services), complete: true),
            e => e.Path == "metadata.name" && e.Message == "is defined more than once (also in f0.yaml)");
}
