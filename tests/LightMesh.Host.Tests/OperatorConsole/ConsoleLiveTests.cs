using LightMesh.Core.Releases;
using LightMesh.Testing;
using Microsoft.Playwright;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>The console follows releases as they change, in a real Chromium, without the page being loaded again.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ConsoleLiveTests(EtcdFixture etcd, ChromiumFixture chromium) : ControllerTestBase(etcd), IClassFixture<ChromiumFixture>
{
    /// <summary>Set on the page's window; a reload would clear it.</summary>
    private const string Marker = "window.__notReloaded";

    [Fact]
    public async Task ReleasesList_ShowsANewReleaseAndItsRelease_PageFollowsItToTheEnd_WithoutReloading()
    {
        await H.ServiceAsync("gamma", "  - deploy: {}\n  - setWeight: 30\n  - pause: {duration: 2s}\n  - promote: {}");
        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.ViewerToken);
        await Assertions.Expect(page.GetByText("No release is running.")).ToBeVisibleAsync();
        await page.EvaluateAsync($"{Marker} = true");

        var release = await H.StartAsync("gamma", "v2");

        var row = page.GetByRole(AriaRole.Table, new() { Name = "Active releases" }).Locator($"tr[data-release='{release.Id}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>($"{Marker} === true"), "the list was loaded again instead of updated in place");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await page.EvaluateAsync($"{Marker} = true");
        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator(".step-done")).ToHaveCountAsync(4);
        Assert.True(await page.EvaluateAsync<bool>($"{Marker} === true"), "the release's page was loaded again instead of updated in place");
        Assert.Equal(ReleasePhase.Succeeded, (await H.Releases.GetAsync(release.Id, default))!.Phase);
    }
}
