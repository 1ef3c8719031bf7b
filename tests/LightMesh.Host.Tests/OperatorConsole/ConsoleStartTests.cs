using System.Text.RegularExpressions;
using LightMesh.Testing;
using Microsoft.Playwright;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>Starting a release from the console's form in a real Chromium: the API's checks shown in place, then the release; the form is an operator's.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ConsoleStartTests(EtcdFixture etcd, ChromiumFixture chromium) : ControllerTestBase(etcd), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task StartForm_ShowsTheChecksErrorsInPlace_ThenStartsOneReleaseByTheOperator()
    {
        await H.ServiceAsync("eta", "  - deploy: {}\n  - pause: {}\n  - promote: {}");
        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.OperatorToken);
        await page.GetByRole(AriaRole.Link, new() { Name = "Start a release" }).ClickAsync();

        await page.GetByLabel("Service", new() { Exact = true }).SelectOptionAsync("eta");
        await page.GetByLabel("New version").FillAsync("v2");
        await page.GetByLabel("Workflow").SelectOptionAsync("eta-flow");
        await page.GetByLabel("Arguments for the analyses").FillAsync("region=eu");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();

        await Assertions.Expect(page.Locator("#errors")).ToContainTextAsync("args.region: is not declared: workflow eta-flow runs no AnalysisTemplate, so it takes no arguments");
        await Assertions.Expect(page.GetByLabel("New version")).ToHaveValueAsync("v2");
        await Assertions.Expect(page.GetByLabel("Arguments for the analyses")).ToHaveValueAsync("region=eu");
        Assert.Empty(await H.Releases.AllAsync());

        var key = await page.Locator("input[name='key']").GetAttributeAsync("value");
        var formToken = await page.Locator("form[action='/console/start'] input[name='__RequestVerificationToken']").GetAttributeAsync("value");
        await page.GetByLabel("Arguments for the analyses").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/releases/eta-v2-[0-9a-f]{16}$"));
        await Assertions.Expect(page.GetByText("started by otto")).ToBeVisibleAsync();

        // The same form posted again (a double click, a reload that posts again) answers the same release.
        var again = await page.Context.APIRequest.PostAsync(new Uri(H.Api, "console/start").ToString(), new()
        {
            Form = page.Context.APIRequest.CreateFormData().Set("__RequestVerificationToken", formToken!).Set("key", key!).Set("service", "eta")
                .Set("version", "v2").Set("workflow", "eta-flow").Set("args", ""),
            MaxRedirects = 0,
        });
        Assert.Equal(302, again.Status);
        var started = Assert.Single(await H.Releases.AllAsync());
        Assert.Equal("otto", started.StartedBy);
        Assert.EndsWith(started.Id, page.Url, StringComparison.Ordinal);
        Assert.EndsWith($"/console/releases/{started.Id}", again.Headers["location"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartForm_IsRefusedToAViewer()
    {
        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.ViewerToken);

        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Start a release" })).ToHaveCountAsync(0);
        var form = await page.Context.APIRequest.GetAsync(new Uri(H.Api, "console/start").ToString(), new() { MaxRedirects = 0 });
        Assert.Equal(403, form.Status);
    }
}
