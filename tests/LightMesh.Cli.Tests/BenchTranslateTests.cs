using System.Globalization;
using System.Text.Json.Nodes;

namespace LightMesh.Cli.Tests;

/// <summary>
/// <c>lightmesh-bench translate</c> as a process in a tiny configuration, so the benchmark cannot rot: it times every
/// push after the warm-up, and each push translates again only the one service whose routes changed; the document
/// index is timed on the same changes.
/// </summary>
public sealed class BenchTranslateTests
{
    [Fact]
    public async Task BenchTranslate_TinyRun_TimesEveryPushAfterTheWarmUp_AndTranslatesOnlyTheChangedService()
    {
        var result = await CliProcess.RunBenchAsync("translate", "--services", "5", "--changes", "4", "--warm-up", "2", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonNode.Parse(result.Stdout)!.AsObject();
        string Figure(string name) => report[name]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"no \"{name}\" in {result}");
        Assert.Equal("4 (after 2)", Figure("pushes timed (after the warm-up's)"));
        Assert.Equal("15, 15, 10, 2", Figure("resources (clusters, endpoints, listeners, routes)"));
        Assert.Equal("1", Figure("services translated again by the last push"));
        Assert.True(double.Parse(Figure("push mean (ms)"), CultureInfo.InvariantCulture) > 0, result.ToString());
        Assert.True(double.Parse(Figure("allocated per push (KiB)"), CultureInfo.InvariantCulture) > 0, result.ToString());
        Assert.Matches(@"^\d+\.\d+ / \d+\.\d+$", Figure("document index after a change, built anew p50 / p99 (us)"));
        Assert.Matches(@"^\d+\.\d+ / \d+\.\d+$", Figure("document index after a change, following the last one p50 / p99 (us)"));
        var allocated = Figure("allocated per document index: built anew / following (KiB)").Split(" / ").Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToList();
        Assert.True(allocated is [> 0, > 0], result.ToString());
    }

    [Fact]
    public async Task BenchTranslate_NoServices_IsRefusedByName()
    {
        var result = await CliProcess.RunBenchAsync("translate", "--services", "0");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--services: 0 must be 1..20000", result.Stderr, StringComparison.Ordinal);
    }
}
