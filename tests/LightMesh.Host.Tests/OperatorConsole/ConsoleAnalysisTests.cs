using System.Globalization;
using System.Text.RegularExpressions;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using Microsoft.Playwright;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>
/// A release whose analysis failed, on its page in a real Chromium: why it rolled back, where each step stopped, the
/// canary's weight over time, the failing metric's chart with its thresholds, and the link to Grafana.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ConsoleAnalysisTests(EtcdFixture etcd, ChromiumFixture chromium) : ControllerTestBase(etcd), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task FailedAnalysis_ShowsTheRollbackReasonTimelineAndWeights_AndTheMetricsChartWithItsThresholds()
    {
        await H.ServiceAsync("delta", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [error-ratio]}\n  - promote: {}");
        var release = await H.StartAsync("delta", "v3");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.RolledBack);
        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.ViewerToken);

        await page.GotoAsync(new Uri(H.Api, $"console/releases/{release.Id}").ToString());

        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("RolledBack");
        await Assertions.Expect(page.Locator("#why")).ToContainTextAsync(new Regex("^Rolled back because .*analysis failed"));

        // The timeline: the analysis step stopped the release, the promotion was never reached.
        var steps = page.Locator("table.steps tbody tr");
        await Assertions.Expect(steps).ToHaveCountAsync(4);
        await Assertions.Expect(steps.Locator("td:nth-child(3)")).ToHaveTextAsync(["done", "done", "stopped", "not reached"]);
        await Assertions.Expect(steps.Nth(2).Locator("td:nth-child(2)")).ToHaveTextAsync("analysis error-ratio");
        await Assertions.Expect(steps.Nth(2).Locator("td:nth-child(5)")).ToHaveTextAsync(new Regex("^\\d+s$"));
        await Assertions.Expect(steps.Nth(3).Locator("td:nth-child(4)")).ToBeEmptyAsync();

        // The weight: 0, 20 when step 2 was done, 0 at the end, with the rollback shaded.
        var weights = page.Locator("figure.weights");
        await Assertions.Expect(weights.Locator("circle.weight-change")).ToHaveCountAsync(3);
        Assert.Equal(["0", "20", "0"], await weights.Locator("circle.weight-change").EvaluateAllAsync<string[]>("points => points.map(p => p.dataset.weight)"));
        await Assertions.Expect(weights.Locator("rect.rollback")).ToHaveCountAsync(1);

        // Grafana's releases dashboard for the service, from a minute before the release to a minute after it ended.
        var grafana = await page.Locator("#grafana").GetAttributeAsync("href");
        Assert.Matches($"^{Regex.Escape(ControllerHarness.Grafana)}/d/lightmesh-releases/\\?var-service=delta&from=\\d+&to=\\d+$", grafana);
        Assert.Equal((release.StartedAt - TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds(), long.Parse(Regex.Match(grafana!, "from=(\\d+)").Groups[1].Value, CultureInfo.InvariantCulture));
        var chart = page.Locator("figure", new() { HasText = "error-ratio/error-ratio (step 3)" });
        await Assertions.Expect(chart).ToContainTextAsync("Failed: ");
        await Assertions.Expect(chart).ToContainTextAsync("0.4 meets the failure condition result > 0.2");
        await Assertions.Expect(chart).ToContainTextAsync("success: result < 0.05; failure: result > 0.2");
        await Assertions.Expect(chart).ToContainTextAsync("error_ratio{service=\"delta\",version=\"v3\"}");
        await Assertions.Expect(chart.Locator("line.threshold.success")).ToHaveAttributeAsync("data-value", "0.05");
        await Assertions.Expect(chart.Locator("line.threshold.failure")).ToHaveAttributeAsync("data-value", "0.2");
        await Assertions.Expect(chart.Locator("circle.measurement title")).ToHaveTextAsync(new Regex("^0\\.4 at \\d\\d:\\d\\d:\\d\\d: Failed$"));
    }
}
