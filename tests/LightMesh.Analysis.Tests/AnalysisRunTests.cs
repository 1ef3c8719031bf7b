using LightMesh.Core.Analysis;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;
using Microsoft.Extensions.Time.Testing;

namespace LightMesh.Analysis.Tests;

[Collection(PrometheusCollectionDefinition.Name)]
public sealed class AnalysisRunTests(PrometheusFixture prometheus)
{
    private const string ErrorRate = "sum(rate(http_requests_total{service=\"{{service}}\",version=\"{{canary}}\",code=~\"5..\"}[{{interval}}])) / sum(rate(http_requests_total{service=\"{{service}}\",version=\"{{canary}}\"}[{{interval}}]))";

    private static AnalysisTemplate Template(string metrics, string args = "")
    {
        var result = DocumentParser.Parse($"apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {{name: t}}\nspec:\n{args}  metrics:\n{metrics}", "t.yaml");
        Assert.Empty(result.Errors);
        return (AnalysisTemplate)result.Documents.Single().Document;
    }

    private static string Metric(string query, string extra) =>
        $"  - name: m\n    provider:\n      prometheus:\n        query: '{query.Replace("'", "''", StringComparison.Ordinal)}'\n{extra}";

    /// <summary>Runs the analysis on a fake clock inside the backfilled history, advancing it until the run ends.</summary>
    private async Task<AnalysisRunResult> RunAsync(AnalysisTemplate template, string canary, params (string Name, string Value)[] extra)
    {
        var clock = new FakeTimeProvider(prometheus.End - TimeSpan.FromMinutes(15));
        using var http = new HttpClient();
        var runner = new AnalysisRunner(new PrometheusClient(http) { Timeout = TimeSpan.FromSeconds(2) }, clock);
        var args = new Dictionary<string, string> { ["service"] = "checkout", ["canary"] = canary, ["stable"] = "v1" };
        foreach (var (name, value) in extra)
        {
            args[name] = value;
        }

        var run = runner.RunAsync(template, args, prometheus.Server.Address, null, default);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!run.IsCompleted && DateTime.UtcNow < deadline)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(run, Task.Delay(5));
        }

        return await run;
    }

    [Theory]
    [InlineData("checkout", AnalysisPhase.Successful)]
    [InlineData("payments", AnalysisPhase.Failed)]
    [InlineData("orders", AnalysisPhase.Successful)]
    public async Task ShippedEnvoyTemplate_JudgesTheCanaryCluster(string service, AnalysisPhase expected)
    {
        var file = Path.Combine(AppContext.BaseDirectory, "templates", "envoy.yaml");
        var template = DocumentParser.Parse(await File.ReadAllTextAsync(file), file).Documents
            .Select(d => d.Document).OfType<AnalysisTemplate>().Single(t => t.Name == "envoy-error-rate");
        template = template with { Spec = template.Spec with { Metrics = [template.Spec.Metrics[0] with { Count = 2 }] } };
        var clock = new FakeTimeProvider(prometheus.End - TimeSpan.FromMinutes(15));
        using var http = new HttpClient();
        var run = new AnalysisRunner(new PrometheusClient(http), clock).RunAsync(
            template, new Dictionary<string, string> { ["service"] = service, ["port"] = "8080", ["canary"] = "v2", ["stable"] = "v1" }, prometheus.Server.Address, null, default);
        while (!run.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(run, Task.Delay(5));
        }

        Assert.Equal(expected, (await run).Phase);
    }

    [Fact]
    public async Task HealthyCanary_IsSuccessful()
    {
        var result = await RunAsync(Template(Metric(ErrorRate, "    interval: 30s\n    count: 3\n    successCondition: result < 0.05\n")), "v2");

        Assert.Equal(AnalysisPhase.Successful, result.Phase);
        var metric = Assert.Single(result.Metrics);
        Assert.Equal(3, metric.Measurements.Count);
        Assert.All(metric.Measurements, m => Assert.Equal(0.01, m.Value, 6));
    }

    [Fact]
    public async Task ErrorRateRegression_FailsOnceFailureLimitIsPassed()
    {
        var result = await RunAsync(Template(Metric(ErrorRate, "    interval: 30s\n    count: 10\n    successCondition: result < 0.05\n    failureLimit: 1\n")), "v3");

        Assert.Equal(AnalysisPhase.Failed, result.Phase);
        var metric = Assert.Single(result.Metrics);
        Assert.Equal(2, metric.Measurements.Count);
        Assert.All(metric.Measurements, m => Assert.Equal(MeasurementPhase.Failed, m.Phase));
        Assert.Contains("0.2 does not meet result < 0.05", metric.Measurements[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LatencyRegressionInAHistogram_Fails()
    {
        const string p99 = "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service=\"{{service}}\",version=\"{{canary}}\"}[{{interval}}])))";
        var template = Template(Metric(p99, "    interval: 1m\n    count: 2\n    successCondition: result <= {{max-latency}}\n"), "  args:\n  - {name: max-latency, value: \"0.25\"}\n");

        Assert.Equal(AnalysisPhase.Successful, (await RunAsync(template, "v2")).Phase);
        var slow = await RunAsync(template, "v3");
        Assert.Equal(AnalysisPhase.Failed, slow.Phase);
        Assert.InRange(slow.Metrics[0].Measurements[0].Value, 0.5, 1);
    }

    [Fact]
    public async Task ArgumentThatIsAnExpression_IsAnErrorNamingIt_NeverAPassOfTheRegressedCanary()
    {
        var template = Template(Metric(ErrorRate, "    interval: 30s\n    count: 2\n    successCondition: result < {{max-error-rate}}\n"), "  args:\n  - {name: max-error-rate, value: \"0.05\"}\n");

        var regressed = await RunAsync(template, "v3", ("max-error-rate", "0.02 or true"));

        Assert.Equal(AnalysisPhase.Error, regressed.Phase);
        Assert.Empty(regressed.Metrics);
        Assert.StartsWith("m: successCondition: argument \"max-error-rate\": \"0.02 or true\" is not a number", regressed.Message, StringComparison.Ordinal);
        Assert.Equal(AnalysisPhase.Failed, (await RunAsync(template, "v3", ("max-error-rate", "0.02"))).Phase);
    }

    [Fact]
    public async Task ValueThatWouldLeaveItsLabelInTheQuery_IsAnErrorNamingIt_AndNothingIsAsked()
    {
        var template = Template(Metric(ErrorRate, "    interval: 30s\n    count: 2\n    successCondition: result < 0.05\n"));

        var result = await RunAsync(template, "v3\"} * 0 or vector(0) or x{y=\"");

        Assert.Equal(AnalysisPhase.Error, result.Phase);
        Assert.Empty(result.Metrics);
        Assert.Equal("m: argument \"canary\": \"v3\\\"} * 0 or vector(0) or x{y=\\\"\" cannot go into the query or address: a query argument holds letters, digits, '.', '_' and '-' only, at most 256 characters", result.Message);
    }

    [Fact]
    public async Task NoSeries_IsInconclusive()
    {
        var result = await RunAsync(Template(Metric(ErrorRate, "    interval: 30s\n    count: 3\n    successCondition: result < 0.05\n")), "v9");

        Assert.Equal(AnalysisPhase.Inconclusive, result.Phase);
        Assert.Equal("no data", result.Metrics[0].Measurements[0].Message);
    }

    [Fact]
    public async Task ZeroOverZero_IsNaN_AndFollowsTheNoDataPolicy()
    {
        var strict = await RunAsync(Template(Metric(ErrorRate, "    interval: 30s\n    count: 2\n    successCondition: result < 0.05\n")), "v4");
        var lenient = await RunAsync(Template(Metric(ErrorRate, "    interval: 30s\n    count: 2\n    successCondition: result < 0.05\n    noData: pass\n")), "v4");
        var failing = await RunAsync(Template(Metric(ErrorRate, "    interval: 30s\n    count: 2\n    successCondition: result < 0.05\n    noData: fail\n")), "v4");

        Assert.True(double.IsNaN(strict.Metrics[0].Measurements[0].Value));
        Assert.Equal(AnalysisPhase.Inconclusive, strict.Phase);
        Assert.Equal(AnalysisPhase.Successful, lenient.Phase);
        Assert.Equal(AnalysisPhase.Failed, failing.Phase);
    }

    [Fact]
    public async Task BadQuery_IsReportedAsSuch()
    {
        var result = await RunAsync(Template(Metric("sum(rate(http_requests_total[", "    count: 3\n    successCondition: result < 1\n")), "v2");

        Assert.Equal(AnalysisPhase.Error, result.Phase);
        Assert.StartsWith("Prometheus rejected the query: bad query:", result.Metrics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingArgument_IsAnErrorNamingIt()
    {
        var template = Template(Metric(ErrorRate, "    successCondition: result < {{limit}}\n"), "  args:\n  - {name: limit}\n");

        var result = await RunAsync(template, "v2");

        Assert.Equal(AnalysisPhase.Error, result.Phase);
        Assert.Equal("m: no value for argument limit", result.Message);
    }

    [Fact]
    public async Task Judge_SameDistributionPasses_ShiftedIsHigh_TooFewPointsIsNoData()
    {
        var template = Template(Metric("judge_latency_seconds{version=\"{{canary}}\"}",
            "    judge:\n      baselineQuery: 'judge_latency_seconds{version=\"stable\"}'\n      window: 10m\n      step: 10s\n      direction: increase\n"));

        // Validation refuses a 20s window at 10s (3 points, where confidence 0.98 needs 5), so it is set in code, as a
        // caller building a template could: the run must still not pass a canary 60% slower on points too few to fail it.
        var metric = template.Spec.Metrics[0];
        var short20s = template with { Spec = template.Spec with { Metrics = [metric with { Judge = metric.Judge! with { Window = Duration.Of(TimeSpan.FromSeconds(20)) } }] } };

        var same = await RunAsync(template, "same");
        var slow = await RunAsync(template, "slow");
        var brief = await RunAsync(short20s, "slow");

        Assert.Equal(AnalysisPhase.Successful, same.Phase);
        Assert.Equal(JudgeClassification.Pass, same.Judgement!.Metrics[0].Classification);
        Assert.Equal(AnalysisPhase.Failed, slow.Phase);
        Assert.Equal(JudgeClassification.High, slow.Judgement!.Metrics[0].Classification);
        Assert.Equal(JudgeClassification.NoData, brief.Judgement!.Metrics[0].Classification);
        Assert.Equal("3 canary and 3 baseline points; at least 5 each are needed (fewer cannot reach confidence 0.98)", brief.Judgement.Metrics[0].Reason);
        Assert.Equal(AnalysisPhase.Inconclusive, brief.Phase);
    }
}
