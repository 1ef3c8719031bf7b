using LightMesh.Core.Analysis;
using LightMesh.Core.Parsing;

namespace LightMesh.Core.Tests.Analysis;

public sealed class TemplateArgumentsTests
{
    private static readonly AnalysisTemplate ErrorRate = Template("""
        apiVersion: lightmesh.io/v1
        kind: AnalysisTemplate
        metadata: {name: error-rate}
        spec:
          args:
          - {name: max-error-rate, value: "0.05"}
          - {name: job}
          metrics:
          - name: errors
            provider: {prometheus: {query: 'errors{job="{{job}}",version="{{canary}}"}'}}
            successCondition: result < {{max-error-rate}}
        """);

    private static readonly AnalysisTemplate Latency = Template("""
        apiVersion: lightmesh.io/v1
        kind: AnalysisTemplate
        metadata: {name: latency}
        spec:
          args:
          - {name: strict, value: "true"}
          metrics:
          - name: p99
            provider: {prometheus: {query: p99}}
            failureCondition: '{{strict}} and result > 0.5'
        """);

    private static AnalysisTemplate Template(string yaml)
    {
        var parsed = DocumentParser.Parse(yaml, "t.yaml");
        Assert.Empty(parsed.Errors);
        return (AnalysisTemplate)parsed.Documents.Single().Document;
    }

    private static List<string> Check(IReadOnlyList<AnalysisTemplate> templates, bool builtInGiven, params (string Name, string Value)[] args) =>
        TemplateArguments.Check(templates, args.ToDictionary(a => a.Name, a => a.Value), builtInGiven, "workflow canary").Select(p => p.ToString()).ToList();

    [Fact]
    public void Check_DeclaredNamesWithLiteralValues_AreAccepted() =>
        Assert.Empty(Check([ErrorRate, Latency], false, ("max-error-rate", "0.02"), ("job", "api-7"), ("strict", "false")));

    [Fact]
    public void Check_UndeclaredName_IsRefusedNamingItAndTheTemplates() =>
        Assert.Equal(
            ["argument \"region\": is not declared by the AnalysisTemplates workflow canary runs: error-rate (max-error-rate, job), latency (strict)"],
            Check([ErrorRate, Latency], false, ("region", "eu")));

    [Fact]
    public void Check_WorkflowWithoutTemplates_TakesNoArguments() =>
        Assert.Equal(["argument \"region\": is not declared: workflow canary runs no AnalysisTemplate, so it takes no arguments"], Check([], false, ("region", "eu")));

    [Fact]
    public void Check_BuiltInName_IsRefusedForAReleaseButTakenByAnAnalysis()
    {
        Assert.Equal(
            ["argument \"canary\": is given by every run (service, port, canary, stable, namespace, interval) and cannot be set"],
            Check([ErrorRate], false, ("canary", "v9")));
        Assert.Empty(Check([ErrorRate], true, ("canary", "v9")));
    }

    [Fact]
    public void Check_ValueThatIsNotALiteralOfItsType_IsRefusedNamingTheCondition() =>
        Assert.Equal(
            [
                "argument \"max-error-rate\": \"0.02 or true\" is not a number (a number is written like 0.05, -2 or 1e-3), which successCondition of error-rate/errors needs",
                "argument \"strict\": \"1\" is not true or false, which failureCondition of latency/p99 needs",
            ],
            Check([ErrorRate, Latency], false, ("max-error-rate", "0.02 or true"), ("strict", "1")));

    [Theory]
    [InlineData("api\"} or vector(1) #")]
    [InlineData("api 7")]
    [InlineData("a\\b")]
    [InlineData("a\nb")]
    [InlineData("x(1)")]
    public void Check_ValueThatCouldLeaveItsPlaceInTheQuery_IsRefused(string value)
    {
        var problem = Assert.Single(Check([ErrorRate], true, ("job", value)));

        Assert.Contains("cannot go into the query of error-rate/errors: a query argument holds letters, digits, '.', '_' and '-' only", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LongValue_IsShownCutShort()
    {
        var problem = Assert.Single(Check([ErrorRate], false, ("max-error-rate", new string('(', 30_000))));

        Assert.Contains("... (30000 characters) is not a number", problem, StringComparison.Ordinal);
        Assert.True(problem.Length < 300, problem);
    }
}
