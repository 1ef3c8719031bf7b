using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>
/// <c>lightmesh-bench releases</c> as a process in a tiny configuration, against the collection's etcd, so the benchmark
/// cannot rot: its releases reach their pause and end, and its memory readings, the live heap after a full collection
/// it asks the controller for included, are taken.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class BenchReleasesTests(EtcdFixture etcd)
{
    [Fact]
    public async Task BenchReleases_TinyRunWithWarmUpAndMoreAdded_ExitsZeroWithEveryMemoryReading()
    {
        var result = await CliProcess.RunBenchAsync("releases", "--etcd", etcd.Endpoint, "--releases", "3", "--then", "2", "--warm-up", "2", "--jit-settle", "5s", "--round-trips", "10", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonNode.Parse(result.Stdout)!.AsObject();
        string Figure(string name) => report[name]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"no \"{name}\" in {result}");
        Assert.Equal("3", Figure("reached the untimed pause"));
        Assert.Matches(@"^\d+\.\d( \(not quiet: limit reached\))?$", Figure("server JIT quiet after the warm-up (s)"));
        Assert.True(double.Parse(Figure("server JIT compiling, start to all paused (s)"), CultureInfo.InvariantCulture) >= 0, result.ToString());
        Assert.Equal("5", Figure("succeeded"));
        Assert.Equal("7", Figure("release keys in etcd after the run")); // the two warm-up releases' too
        var live = Figure("server live heap (after a full GC) idle -> all paused (MiB)").Split(" -> ");
        Assert.All(live, mib => Assert.True(double.Parse(mib, CultureInfo.InvariantCulture) > 1, result.ToString()));
        foreach (var name in new[] { "server live heap per active release (KiB)", "server RSS per added active release (KiB)", "server live heap per added active release (KiB)" })
        {
            Assert.True(double.TryParse(Figure(name), NumberStyles.Float, CultureInfo.InvariantCulture, out _), $"{name}: {Figure(name)}");
        }
    }
}
