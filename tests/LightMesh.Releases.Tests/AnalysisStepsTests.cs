using LightMesh.Processes;
using LightMesh.Analysis;
using LightMesh.Core.Analysis;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LightMesh.Releases.Steps;

namespace LightMesh.Releases.Tests;

/// <summary>Analysis steps: stored templates, the release's arguments, a real Prometheus.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class AnalysisStepsTests(EtcdFixture etcd) : IAsyncLifetime
{
    private EtcdConnection? _etcd;
    private PrometheusServer? _prometheus;

    public async Task InitializeAsync()
    {
        _etcd = etcd.Connect(etcd.NewPrefix());
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30);
        var times = OpenMetrics.Times(end - TimeSpan.FromMinutes(10), end, TimeSpan.FromSeconds(10)).ToList();
        _prometheus = await PrometheusServer.StartAsync(new OpenMetrics()
            .Gauge("error_ratio", "service=\"checkout\",version=\"v2\",port=\"8080\"", times, _ => 0.01)
            .Gauge("error_ratio", "service=\"checkout\",version=\"v3\",port=\"8080\"", times, _ => 0.4)
            .ToString());
        var documents = DocumentParser.Parse("""
            apiVersion: lightmesh.io/v1
            kind: Service
            metadata: {name: checkout}
            spec: {protocol: http, port: 8080}
            ---
            apiVersion: lightmesh.io/v1
            kind: AnalysisTemplate
            metadata: {name: error-ratio}
            spec:
              args:
              - {name: limit, value: "0.05"}
              metrics:
              - name: error-ratio
                provider:
                  prometheus:
                    query: 'error_ratio{service="{{service}}",version="{{canary}}",port="{{port}}"}'
                interval: 1s
                count: 2
                successCondition: result < {{limit}}
            ---
            apiVersion: lightmesh.io/v1
            kind: AnalysisTemplate
            metadata: {name: error-ratio-again}
            spec:
              metrics:
              - name: error-ratio
                provider:
                  prometheus:
                    query: 'error_ratio{service="{{service}}",version="{{canary}}",port="{{port}}"}'
                interval: 1s
                count: 2
                successCondition: result < 0.05
            """, "t.yaml");
        Assert.Empty(documents.Errors);
        await new DocumentStore(_etcd).ApplyAsync(documents.Documents, default);
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        _etcd?.Dispose();
    }

    private static ReleaseState Release(string version) => ReleaseDecider.Start("r1", "checkout", version, "v1", "w", ((ReleaseWorkflow)DocumentParser.Parse(
        "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - promote: {}\n", "w.yaml").Documents.Single().Document).Spec, "ci", DateTimeOffset.UtcNow).State;

    private async Task<(AnalysisPhase Phase, string Reason)> RunAsync(string version, IReadOnlyDictionary<string, string> args, params string[] templates)
    {
        using var http = new HttpClient();
        var steps = new AnalysisSteps(new DocumentStore(_etcd!), new AnalysisRunner(new PrometheusClient(http), TimeProvider.System), _prometheus!.Address, NullLogger<AnalysisSteps>.Instance);
        var (phase, reason, _) = await steps.RunAsync(Release(version), templates, args, null, default);
        return (phase, reason);
    }

    [Fact]
    public async Task TwoTemplates_RunSideBySide_AsTheMetricsOfOneRun()
    {
        using var http = new HttpClient();
        var steps = new AnalysisSteps(new DocumentStore(_etcd!), new AnalysisRunner(new PrometheusClient(http), TimeProvider.System), _prometheus!.Address, NullLogger<AnalysisSteps>.Instance);

        var (phase, _, runs) = await steps.RunAsync(Release("v2"), ["error-ratio", "error-ratio-again"], new Dictionary<string, string>(), null, default);

        Assert.Equal(AnalysisPhase.Successful, phase);
        var (first, second) = (runs[0].Metrics.Single().Measurements, runs[1].Metrics.Single().Measurements);
        Assert.True(second[0].At < first[^1].At, $"the second template began at {second[0].At:O}, after the first ended at {first[^1].At:O}");
    }

    /// <summary>A run keeps measuring until its error limit; the first measurement Prometheus does not answer is logged at once, naming the metric and why.</summary>
    [Fact]
    public async Task AnUnreachablePrometheus_IsLoggedAtTheFirstFailedMeasurement_NotOnlyWhenTheRunEnds()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var log = new LogLines();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(log));
        var nowhere = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var steps = new AnalysisSteps(new DocumentStore(_etcd!), new AnalysisRunner(new PrometheusClient(http), TimeProvider.System), nowhere, loggers.CreateLogger<AnalysisSteps>());

        var run = steps.RunAsync(Release("v2"), ["error-ratio"], new Dictionary<string, string>(), null, default);
        string? warning = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); warning is null && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            warning = log.Lines.FirstOrDefault(l => l.Contains("could not measure", StringComparison.Ordinal));
        }

        Assert.False(run.IsCompleted, "the run ended before its first failed measurement was logged");
        Assert.NotNull(warning);
        Assert.Contains("Release r1 step 0: analysis error-ratio, metric error-ratio, could not measure:", warning, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{nowhere.Port}", warning, StringComparison.Ordinal);
        await Assert.ThrowsAsync<Core.ServerUnreachableException>(() => run);
        Assert.Single(log.Lines, l => l.Contains("could not measure", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HealthyCanary_PassesWithTheReleasesArguments() =>
        Assert.Equal(AnalysisPhase.Successful, (await RunAsync("v2", new Dictionary<string, string>(), "error-ratio")).Phase);

    [Fact]
    public async Task BadCanary_Fails_AndTheStepsOwnArgumentsApply()
    {
        Assert.Equal(AnalysisPhase.Failed, (await RunAsync("v3", new Dictionary<string, string>(), "error-ratio")).Phase);
        Assert.Equal(AnalysisPhase.Successful, (await RunAsync("v3", new Dictionary<string, string> { ["limit"] = "0.5" }, "error-ratio")).Phase);
    }

    [Fact]
    public async Task MissingTemplate_IsAnErrorNamingIt()
    {
        var (phase, reason) = await RunAsync("v2", new Dictionary<string, string>(), "nope");

        Assert.Equal(AnalysisPhase.Error, phase);
        Assert.Equal("no AnalysisTemplate named \"nope\"", reason);
    }
}
