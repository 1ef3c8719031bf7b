using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LightMesh.Testing;

namespace LightMesh.ControlPlane.Tests;

/// <summary>The Grafana dashboards only chart metrics the control plane really exports.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed partial class DashboardTests(EtcdFixture etcd)
{
    [GeneratedRegex(@"lightmesh_[a-z_]+", RegexOptions.CultureInvariant)]
    private static partial Regex MetricName();

    [Fact]
    public async Task ControlPlaneDashboard_ChartsOnlyExportedMetrics()
    {
        var file = Path.Combine(Repository.Root, "dashboards", "control-plane.json");
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var expressions = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray().Select(t => t!["expr"]!.GetValue<string>())).ToList();
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await Poll.UntilAsync(() => Task.FromResult(harness.Server.Registry.Current.Revision), r => r > 0, TimeSpan.FromSeconds(10), "a first snapshot");
        await using (var client = new AdsTestClient(harness.XdsPort, "dashboard-check"))
        {
            await client.SubscribeLikeGrpcAsync("checkout:8080", "8080", "outbound|8080|v1|checkout");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var exported = await http.GetStringAsync(new Uri($"http://{harness.Server.Options.Admin}/metrics"));

        Assert.NotEmpty(expressions);
        foreach (var name in expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).Distinct())
        {
            Assert.True(exported.Contains(name, StringComparison.Ordinal), $"{name} is charted but not exported");
        }
    }
}
