using System.Text.RegularExpressions;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using Microsoft.Playwright;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>A release whose analysis failed, on its page in a real Chromium: why it rolled back, and the failing metric's chart with its thresholds.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ConsoleAnalysisTests(EtcdFixture etcd, ChromiumFixture chromium) : ControllerTestBase(etcd), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task FailedAnalysis_ShowsTheRollbackReason_AndTheMetricsChartWithItsThresholds()
    {
        await H.ServiceAsync("delta", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [error-ratio]}\n  - promote: {}");
        var release = await H.StartAsync("delta", "v3");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.RolledBack);
        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.ViewerToken);

        await page.GotoAsync(new Uri(H.Api, $"console/releases/{release.Id}").ToString());

        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("RolledBack");
        await Assertions.Expect(page.Locator("#why")).ToContainTextAsync("analysis failed");
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
