using System.Text.RegularExpressions;
using LightMesh.Core.Releases;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>The releases dashboard and the Prometheus rules only use metrics a controller really exports once it has run a release.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed partial class DashboardTests(EtcdFixture etcd)
{
    [GeneratedRegex(@"lightmesh_[a-z_]+", RegexOptions.CultureInvariant)]
    private static partial Regex MetricName();

    [Fact]
    public async Task ReleasesDashboard_ChartsOnlyExportedMetrics()
    {
        // The rules too: they alert on the control plane's metrics as well as the release engine's, all of which a controller exports.
        var expressions = MonitoringQueries.OfDashboard(MonitoringQueries.Dashboard("releases.json"))
            .Concat(MonitoringQueries.OfRules(MonitoringQueries.RulesFile)).Select(q => q.Expression).ToList();
        await using var harness = await ControllerHarness.StartAsync(etcd);
        await harness.ServiceAsync("alpha", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [error-ratio]}\n  - promote: {}");
        await harness.WaitForPhaseAsync((await harness.StartAsync("alpha", "v2")).Id, ReleasePhase.Succeeded);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (await http.PostAsync(new Uri(harness.Api, "api/v1/hooks/generic"), new StringContent("{}")))
        {
            // Refused (no secret is configured): still a delivery, counted by outcome.
        }

        // A schedule with nothing announced to release: its firing is skipped, and counted.
        await harness.ApplyAsync($"apiVersion: lightmesh.io/v1\nkind: Schedule\nmetadata: {{name: alpha-now}}\nspec: {{service: alpha, workflow: alpha-flow, at: '{DateTimeOffset.UtcNow:O}'}}\n");
        var exported = await Poll.UntilAsync(
            () => http.GetStringAsync(new Uri(harness.Api, "metrics")),
            m => m.Contains("lightmesh_schedule_firings_total{schedule=\"alpha-now\"", StringComparison.Ordinal) && m.Contains("lightmesh_releases{", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "schedule firings and releases by phase exported");
        Assert.NotEmpty(expressions);
        foreach (var name in expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).Select(n => n.Replace("_bucket", "", StringComparison.Ordinal)).Distinct())
        {
            Assert.True(exported.Contains(name, StringComparison.Ordinal), $"{name} is charted but not exported");
        }

        Assert.Contains("lightmesh_release_analysis_outcomes_total{service=\"alpha\",template=\"error-ratio\",metric=\"error-ratio\",phase=\"Successful\"}", exported, StringComparison.Ordinal);

        // Published at 0 before any release ends, so that increase() in rules.yml sees the first rollback.
        Assert.Contains("lightmesh_releases_ended_total{phase=\"RolledBack\"}", exported, StringComparison.Ordinal);
    }
}
