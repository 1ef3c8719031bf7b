using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>
/// <c>lightmesh-bench rollback --trigger metric</c> as a process in a tiny configuration, against the collection's etcd,
/// so the benchmark cannot rot: it runs its own Prometheus on a gauge it controls, turns each canary's gauge to failing,
/// and every release must be rolled back by its background analysis, with each figure measured.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class BenchRollbackTests(EtcdFixture etcd)
{
    [Fact]
    public async Task BenchRollback_FailingMetric_RollsEveryReleaseBackAndTimesIt()
    {
        var result = await CliProcess.RunBenchAsync(
            "rollback", "--etcd", etcd.Endpoint, "--trigger", "metric", "--releases", "5", "--proxies", "2", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonNode.Parse(result.Stdout)!.AsObject();
        Assert.Equal("5 (2)", report["releases rolled back (timed)"]!.GetValue<string>());
        foreach (var figure in new[]
        {
            "failing sample's scrape -> failing measurement p50 / p99 / max (ms)",
            "failing measurement -> last ACK of stable 100% p50 / p99 / max (ms)",
            "failing sample's scrape -> last ACK p50 / p99 / max (ms)",
        })
        {
            var (p50, p99, max) = Spread(report[figure]!.GetValue<string>());
            Assert.True(p50 >= 0 && p50 <= p99 && p99 <= max && max < 60_000, $"{figure}: {report[figure]}\n{result}");
        }

        // The failing sample comes before the measurement that finds it, which comes before the last ACK.
        Assert.True(
            Spread(report["failing sample's scrape -> last ACK p50 / p99 / max (ms)"]!.GetValue<string>()).P50
                >= Spread(report["failing measurement -> last ACK of stable 100% p50 / p99 / max (ms)"]!.GetValue<string>()).P50,
            result.ToString());
    }

    private static (double P50, double P99, double Max) Spread(string text)
    {
        var parts = text.Split(" / ").Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToList();
        return (parts[0], parts[1], parts[2]);
    }
}
