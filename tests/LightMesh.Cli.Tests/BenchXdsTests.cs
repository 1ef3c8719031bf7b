using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>
/// <c>lightmesh-bench xds</c> as a process in a tiny configuration, against the collection's etcd, so the benchmark
/// cannot rot: its control plane serves its simulated proxies every change, and its memory readings, the live heap after
/// a full collection it asks the control plane for included, are taken.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class BenchXdsTests(EtcdFixture etcd)
{
    [Fact]
    public async Task BenchXds_TinyRun_TimesEveryChangeAfterTheWarmUp_AndReadsTheLiveHeap()
    {
        var result = await CliProcess.RunBenchAsync("xds", "--etcd", etcd.Endpoint, "--proxies", "3", "--services", "4", "--changes", "3", "--warm-up", "2", "--jit-settle", "5s", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonNode.Parse(result.Stdout)!.AsObject();
        string Figure(string name) => report[name]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"no \"{name}\" in {result}");
        Assert.Equal("3 (after 2)", Figure("weight changes (after the warm-up's)"));
        Assert.True(double.Parse(Figure("etcd write -> last ACK max (ms)"), CultureInfo.InvariantCulture) > 0, result.ToString());
        var live = Figure("servers' live heap (after a full GC) before -> with proxies (MiB)").Split(" -> ");
        Assert.All(live, mib => Assert.True(double.Parse(mib, CultureInfo.InvariantCulture) > 1, result.ToString()));
        Assert.True(double.TryParse(Figure("server live heap per proxy (KiB)"), NumberStyles.Float, CultureInfo.InvariantCulture, out _), result.ToString());

        // The wait for the control plane's JIT after the warm-up, and what it compiled while the changes were timed.
        var settled = Figure("servers' JIT quiet after the warm-up (s)");
        Assert.True(double.TryParse(settled.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var waited) && waited is >= 0 and < 10, result.ToString());
        Assert.True(double.Parse(Figure("servers' JIT compiling during changes (s)"), CultureInfo.InvariantCulture) >= 0, result.ToString());
    }

    [Fact]
    public async Task BenchXds_JitSettleOutOfRange_IsRefusedByName()
    {
        var result = await CliProcess.RunBenchAsync("xds", "--etcd", etcd.Endpoint, "--jit-settle", "11m");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--jit-settle", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }
}
