using LightMesh.Core.Analysis;
using LightMesh.Core.Parsing;
using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LightMesh.Analysis.Tests;

/// <summary>A Prometheus of its own, since the test stops it.</summary>
public sealed class PrometheusOutageTests
{
    [Fact]
    public async Task PrometheusStoppedMidRun_GivesErrorsThenEndsUnreachableAfterTheConsecutiveErrorLimit()
    {
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60 - 60);
        var times = OpenMetrics.Times(end - TimeSpan.FromMinutes(20), end, TimeSpan.FromSeconds(10));
        await using var server = await PrometheusServer.StartAsync(new OpenMetrics().Gauge("up_ratio", "service=\"checkout\"", times, _ => 1).ToString());
        var template = (AnalysisTemplate)DocumentParser.Parse(
            "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: up\n    provider: {prometheus: {query: 'up_ratio{service=\"checkout\"}'}}\n    interval: 10s\n    count: 20\n    successCondition: result == 1\n    consecutiveErrorLimit: 2\n",
            "t.yaml").Documents.Single().Document;
        var clock = new FakeTimeProvider(end - TimeSpan.FromMinutes(5));
        using var http = new HttpClient();
        var measured = new Reported();
        var runner = new AnalysisRunner(new PrometheusClient(http) { Timeout = TimeSpan.FromSeconds(2) }, clock);

        var run = runner.RunAsync(template, new Dictionary<string, string>(), server.Address, measured, default);
        await measured.First.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await server.StopAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!run.IsCompleted && DateTime.UtcNow < deadline)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(run, Task.Delay(5));
        }

        // Nothing was learnt of the canary once Prometheus was gone: the run says so, and a release tries it again.
        var result = await run;
        Assert.Equal((AnalysisPhase.Error, true), (result.Phase, result.Unreachable));
        var measurements = result.Metrics[0].Measurements;
        Assert.Equal(MeasurementPhase.Successful, measurements[0].Phase);
        Assert.Equal([MeasurementPhase.Error, MeasurementPhase.Error, MeasurementPhase.Error], measurements.Skip(1).Select(m => m.Phase));
        Assert.Contains("could not be reached", measurements[^1].Message, StringComparison.Ordinal);
        Assert.StartsWith("3 errors in a row", result.Metrics[0].Message, StringComparison.Ordinal);

        // Each measurement is reported as it is taken, with the metric's phase after it: running on until the last error.
        Assert.Equal(
            [(MeasurementPhase.Successful, AnalysisPhase.Running), (MeasurementPhase.Error, AnalysisPhase.Running), (MeasurementPhase.Error, AnalysisPhase.Running), (MeasurementPhase.Error, AnalysisPhase.Error)],
            measured.All.Select(m => (m.Measurement.Phase, m.Phase)));
    }

    /// <summary>The measurements reported, in the order they were (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class Reported : IProgress<MetricMeasured>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<MetricMeasured> _all = new();

        public TaskCompletionSource First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<MetricMeasured> All => [.. _all];

        public void Report(MetricMeasured value)
        {
            _all.Enqueue(value);
            First.TrySetResult();
        }
    }
}
