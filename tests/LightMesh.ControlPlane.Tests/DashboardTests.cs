using System.Text.RegularExpressions;
using LightMesh.Testing;

namespace LightMesh.ControlPlane.Tests;

/// <summary>The control-plane dashboard (panels and annotations) only charts metrics the control plane really exports.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed partial class DashboardTests(EtcdFixture etcd)
{
    [GeneratedRegex(@"lightmesh_[a-z_]+", RegexOptions.CultureInvariant)]
    private static partial Regex MetricName();

    [Fact]
    public async Task ControlPlaneDashboard_ChartsOnlyExportedMetrics()
    {
        var expressions = MonitoringQueries.OfDashboard(MonitoringQueries.Dashboard("control-plane.json")).Select(q => q.Expression).ToList();
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

        // Published for every type before any proxy NACKs, so that increase() in the dashboard and rules.yml sees the first
        // one; and the pushes as the control plane starts, not after its first push to the type (which a scrape may beat).
        foreach (var type in new[] { "cds", "eds", "lds", "rds" })
        {
            Assert.Contains($"lightmesh_xds_nacks_total{{type=\"{type}\"}}", exported, StringComparison.Ordinal);
            Assert.Contains($"lightmesh_xds_pushes_total{{type=\"{type}\"}}", exported, StringComparison.Ordinal);
        }
    }
}
