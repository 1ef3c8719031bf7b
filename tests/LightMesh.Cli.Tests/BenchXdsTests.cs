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
        var result = await CliProcess.RunBenchAsync("xds", "--etcd", etcd.Endpoint, "--proxies", "3", "--services", "4", "--changes", "3", "--warm-up", "2", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonNode.Parse(result.Stdout)!.AsObject();
        string Figure(string name) => report[name]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"no \"{name}\" in {result}");
        Assert.Equal("3 (after 2)", Figure("weight changes (after the warm-up's)"));
        Assert.True(double.Parse(Figure("etcd write -> last ACK max (ms)"), CultureInfo.InvariantCulture) > 0, result.ToString());
        var live = Figure("servers' live heap (after a full GC) before -> with proxies (MiB)").Split(" -> ");
        Assert.All(live, mib => Assert.True(double.Parse(mib, CultureInfo.InvariantCulture) > 1, result.ToString()));
        Assert.True(double.TryParse(Figure("server live heap per proxy (KiB)"), NumberStyles.Float, CultureInfo.InvariantCulture, out _), result.ToString());
    }
}
