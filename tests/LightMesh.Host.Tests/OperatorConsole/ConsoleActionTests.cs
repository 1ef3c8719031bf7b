using LightMesh.Core.Releases;
using LightMesh.Testing;
using Microsoft.Playwright;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>
/// A release's page in a real Chromium: an operator's action asks for confirmation naming its effect, then shows the
/// release's new phase and the operator's name in its events; a viewer sees no button, and an action posted with a
/// viewer's session is refused and changes nothing.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ConsoleActionTests(EtcdFixture etcd, ChromiumFixture chromium) : ControllerTestBase(etcd), IClassFixture<ChromiumFixture>
{
    private const string Steps = "  - deploy: {}\n  - setWeight: 20\n  - pause: {duration: 10m}\n  - promote: {}";

    [Fact]
    public async Task Pause_AsksWhatItDoes_ThenTheReleaseIsPausedByTheOperator()
    {
        await H.ServiceAsync("alpha", Steps);
        var release = await H.StartAsync("alpha", "v2");
        await H.WaitAsync(release.Id, r => r.Step == 2, "at its timed pause");
        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.OperatorToken);

        await page.GetByRole(AriaRole.Link, new() { Name = release.Id }).ClickAsync();
        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Progressing");
        await page.GetByRole(AriaRole.Link, new() { Name = "pause", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#effect")).ToHaveTextAsync("pause: holds the release at step 3/4 (pause); traffic stays stable 80% / canary 20%");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm pause" }).ClickAsync();

        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Paused");
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Events" }).Locator("tr", new() { HasText = "paused" })).ToContainTextAsync("otto");
        var paused = await H.Releases.GetAsync(release.Id, default);
        Assert.Equal(ReleasePhase.Paused, paused!.Phase);
        Assert.Equal(PauseKind.Operator, paused.PausedFor);
        Assert.Contains(paused.Events, e => e.Action == "paused" && e.Actor == "otto");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "resume", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "pause", Exact = true })).ToHaveCountAsync(0);

        // The operator's own session, but not the console's form: as a post from another site would be.
        var forged = await page.Context.APIRequest.PostAsync(new Uri(H.Api, $"console/releases/{release.Id}/abort").ToString(), new() { MaxRedirects = 0 });
        Assert.Equal(400, forged.Status);
        Assert.Equal(ReleasePhase.Paused, (await H.Releases.GetAsync(release.Id, default))!.Phase);
    }

    /// <summary>
    /// A sticky canary promoted into its rollback window: the page says the cookie keeps its callers and what the window
    /// holds; the rollback button names its effect, and once confirmed the old version takes all the traffic again and
    /// the sticky line is gone.
    /// </summary>
    [Fact]
    public async Task Rollback_InsideTheWindow_AsksWhatItDoes_ThenTheOldVersionTakesAllTheTrafficAgain()
    {
        await H.ServiceAsync("beta", "  - deploy: {}\n  - setWeight: 20\n  - promote: {}", "  rollbackWindow: {duration: 10m}\n  sessionAffinity: {cookieName: lm-canary, maxAge: 1h}", "v1", "v2");
        var release = await H.StartAsync("beta", "v2");
        await H.WaitAsync(release.Id, r => r.Promotion == PromotionMove.PreviousKept, "holding the rollback window");
        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.OperatorToken);

        await page.GetByRole(AriaRole.Link, new() { Name = release.Id }).ClickAsync();
        await Assertions.Expect(page.Locator("#session-affinity")).ToHaveTextAsync("Sticky canary: cookie lm-canary: a caller the canary answered stays on it (max age 1h)");
        await Assertions.Expect(page.Locator("#why")).ToContainTextAsync("promoted: v2 takes all the traffic; v1 keeps running until ");
        await page.GetByRole(AriaRole.Link, new() { Name = "rollback", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#effect")).ToHaveTextAsync("rollback: moves all traffic back to v1 at once (it still runs), then removes the v2 containers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm rollback" }).ClickAsync();

        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("RolledBack");
        await Assertions.Expect(page.Locator("#session-affinity")).ToHaveCountAsync(0);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("beta"));
        Assert.Contains((await H.Releases.GetAsync(release.Id, default))!.Events, e => e.Action == "rolling back" && e.Actor == "otto");
    }

    /// <summary>Every step by keyboard alone (Tab and Enter), and every control of every page the operator passes has a label.</summary>
    [Fact]
    public async Task KeyboardOnly_AnOperatorSignsInAbortsAReleaseAndSignsOut_AndEveryControlHasALabel()
    {
        await H.ServiceAsync("gamma", Steps);
        var release = await H.StartAsync("gamma", "v2");
        await H.WaitAsync(release.Id, r => r.Step == 2, "at its timed pause");
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(new Uri(H.Api, "console/sign-in").ToString());
        await UnlabelledAsync(page);
        await TabToAsync(page, "input[name='token']");
        await page.Keyboard.TypeAsync(ControllerHarness.OperatorToken);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Releases" })).ToBeVisibleAsync();
        await UnlabelledAsync(page);
        foreach (var other in new[] { "console/start", "console/mesh", "console/" })
        {
            await page.GotoAsync(new Uri(H.Api, other).ToString());
            await UnlabelledAsync(page);
        }

        await TabToAsync(page, $"a[href='/console/releases/{release.Id}']");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Progressing");
        await UnlabelledAsync(page);
        await TabToAsync(page, $"a[href='/console/releases/{release.Id}/abort']");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#effect")).ToContainTextAsync("abort: ");
        await UnlabelledAsync(page);
        await TabToAsync(page, "button[type='submit']:text('Confirm abort')");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Aborted", new() { Timeout = 30_000 });

        await TabToAsync(page, "button:text('Sign out')");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByLabel("API token")).ToBeVisibleAsync();
        Assert.Contains((await H.Releases.GetAsync(release.Id, default))!.Events, e => e.Action == ReleaseEvents.RollingBack && e.Actor == "otto");
    }

    /// <summary>Presses Tab until the element <paramref name="selector"/> finds has the focus; fails if it never does.</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        var target = page.Locator(selector);
        await Assertions.Expect(target).ToHaveCountAsync(1);
        for (var presses = 0; presses < 80; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }
        }

        Assert.Fail($"{selector}: not reached with Tab on {page.Url}");
    }

    /// <summary>Every visible control on the page has a label, and every link and button a name.</summary>
    private static async Task UnlabelledAsync(IPage page)
    {
        var unlabelled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll("input:not([type=hidden]), select, textarea, button, a")]
                .filter(e => e.matches("a, button") ? e.textContent.trim() === "" && !e.getAttribute("aria-label") : e.labels.length === 0 && !e.getAttribute("aria-label"))
                .map(e => e.outerHTML)
            """);
        Assert.True(unlabelled.Length == 0, $"{page.Url}: without a label: {string.Join(", ", unlabelled)}");
    }

    [Fact]
    public async Task Viewer_SeesNoButton_AndAnActionPostedWithTheirSessionIsRefused()
    {
        await H.ServiceAsync("beta", Steps);
        var release = await H.StartAsync("beta", "v2");
        await H.WaitAsync(release.Id, r => r.Step == 2, "at its timed pause");
        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.ViewerToken);

        await page.GotoAsync(new Uri(H.Api, $"console/releases/{release.Id}").ToString());
        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Progressing");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Actions" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "abort", Exact = true })).ToHaveCountAsync(0);

        // The form token of the viewer's own sign-out form: all a forged post could carry.
        var formToken = await page.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value");
        var confirm = await page.Context.APIRequest.GetAsync(new Uri(H.Api, $"console/releases/{release.Id}/abort").ToString(), new() { MaxRedirects = 0 });
        var forged = await page.Context.APIRequest.PostAsync(new Uri(H.Api, $"console/releases/{release.Id}/abort").ToString(),
            new() { Form = page.Context.APIRequest.CreateFormData().Set("__RequestVerificationToken", formToken!), MaxRedirects = 0 });

        Assert.Equal(403, confirm.Status);
        Assert.Equal(403, forged.Status);
        var unchanged = await H.Releases.GetAsync(release.Id, default);
        Assert.Equal(ReleasePhase.Progressing, unchanged!.Phase);
        Assert.DoesNotContain(unchanged.Events, e => e.Actor == "vera");
    }

    [Fact]
    public async Task LivePart_KeptForEveryReader_NeverGivesAViewerTheOperatorsButtons()
    {
        await H.ServiceAsync("gamma", Steps);
        var release = await H.StartAsync("gamma", "v2");
        await H.WaitAsync(release.Id, r => r.Step == 2, "at its timed pause");
        using var operating = await ConsoleHttp.SignInAsync(H.Api, ControllerHarness.OperatorToken);
        using var viewing = await ConsoleHttp.SignInAsync(H.Api, ControllerHarness.ViewerToken);

        // An open stream is what makes the controller keep parts. Its first notice comes at once, with no change (none is
        // due at a ten-minute pause), so that a change made while the page was on its way is not missed.
        using var stream = await operating.Http.GetAsync("console/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, stream.StatusCode);
        using var notices = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("event: releases", await notices.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await Poll.UntilAsync(() => Task.FromResult(H.Server.ConsoleFeed!.Revision), revision => revision > 0, TimeSpan.FromSeconds(10), "the console's feed to watch etcd");

        // Render the operator's part first, then ask as the viewer.
        var path = $"console/releases/{release.Id}";
        var operatorPart = await Poll.UntilAsync(() => operating.PartAsync(path), part => part.Contains($"/console/releases/{release.Id}/pause", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the operator's part with its buttons");
        var viewerPart = await viewing.PartAsync(path);

        Assert.StartsWith("<main>", operatorPart.TrimStart(), StringComparison.Ordinal);
        using var page = await viewing.Http.GetAsync(path);
        Assert.True(page.Headers.CacheControl?.NoStore, page.Headers.CacheControl?.ToString());
        Assert.Contains("X-Console-Part", page.Headers.Vary);
        Assert.DoesNotContain("Signed in as", operatorPart, StringComparison.Ordinal);
        Assert.Contains("Progressing", viewerPart, StringComparison.Ordinal);
        Assert.DoesNotContain($"/console/releases/{release.Id}/", viewerPart, StringComparison.Ordinal);
        Assert.DoesNotContain("Actions", viewerPart, StringComparison.Ordinal);
    }
}
