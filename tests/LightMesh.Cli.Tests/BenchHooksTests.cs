using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>
/// <c>lightmesh-bench hooks</c> as a process in a tiny configuration, against the collection's etcd, so the benchmark
/// cannot rot: it starts its controller, sends and re-sends signed deliveries, checks them through the API and says so.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class BenchHooksTests(EtcdFixture etcd)
{
    [Fact]
    public async Task BenchHooks_TinyRun_ExitsZeroWithEveryDeliveryAccountedFor()
    {
        var result = await CliProcess.RunBenchAsync(
            "hooks", "--etcd", etcd.Endpoint, "--rate", "20", "--duration", "3s", "--redeliveries", "0.3", "--services", "40", "--warm-up", "10", "--jit-settle", "5s", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonNode.Parse(result.Stdout)!.AsObject();
        int Figure(string name) => int.Parse(report[name]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.Equal(60, Figure("sent"));
        var kinds = report["sent first / again while unanswered / again later"]!.GetValue<string>().Split(" / ").Select(int.Parse).ToList();
        Assert.Equal(60, kinds.Sum());
        Assert.True(kinds[1] + kinds[2] > 0, result.ToString());
        Assert.True(Figure("accepted: 202, release started") > 0, result.ToString());
        Assert.True(Figure("duplicates answered: 202, duplicate") > 0, result.ToString());
        Assert.Equal(60, Figure("accepted: 202, release started") + Figure("duplicates answered: 202, duplicate") + Figure("refused: 409, service busy")
            + Figure("refused: 409, delivery still being handled") + Figure("refused: 400, sent again once its version was stable") + Figure("errors: other answers or none"));
        Assert.Equal(0, Figure("lost"));
        Assert.Equal(0, Figure("duplicate releases"));
        Assert.Equal(0, Figure("unannounced releases"));
        var firstStep = report["release started -> its first step done p50 / p95 / p99 / max (ms)"]!.GetValue<string>().Split(" / ")
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        Assert.True(firstStep.Count == 4 && firstStep[0] >= 0 && firstStep[0] <= firstStep[3], result.ToString());
        Assert.Equal(0, Figure("releases started without their first step done 60 s after the last answer"));
        var halves = report["release started -> its first step done p99: the first half started / the second (ms)"]!.GetValue<string>().Split(" / ")
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        Assert.True(halves.Count == 2 && halves.Max() <= firstStep[3] && halves.Max() >= firstStep[0], result.ToString());
        Assert.Matches(@"^\d+\.\d( \(not quiet: limit reached\))?$", report["server JIT quiet after the warm-up (s)"]!.GetValue<string>());
        Assert.True(double.Parse(report["server JIT compiling while sending and answering (s)"]!.GetValue<string>(), CultureInfo.InvariantCulture) >= 0, result.ToString());
        Assert.Contains("every delivery started at most one release", result.Stderr, StringComparison.Ordinal);
    }
}
