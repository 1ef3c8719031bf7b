using System.Text.RegularExpressions;
using LightMesh.Testing;
using Microsoft.Playwright;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>Debian's chromium, headless, driven by Playwright: one browser per test class, a new context (no cookies) per test.</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Executables.Require("chromium", "chromium"), Headless = true, Timeout = 60_000 });
    }

    /// <summary>A fresh browser context, as a new private window: no cookies, nothing cached.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync();
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>A fresh page signed in to the console at <paramref name="api"/> with <paramref name="token"/>, on the releases page.</summary>
    public async Task<IPage> SignedInPageAsync(Uri api, string token)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(new Uri(api, "console/sign-in").ToString());
        await page.GetByLabel("API token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/$"));
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
