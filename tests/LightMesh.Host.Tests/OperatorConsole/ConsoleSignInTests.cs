using System.Net;
using System.Text.RegularExpressions;
using LightMesh.Core.Releases;
using LightMesh.Host.OperatorConsole;
using LightMesh.Testing;
using Microsoft.Playwright;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>
/// The console in a real Chromium against a real controller, etcd and Prometheus: signing in with an API token, the
/// releases it lists, signing out; and, over HTTP, that a session is good on every controller of one etcd and nowhere
/// in the API.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ConsoleSignInTests(EtcdFixture etcd, ChromiumFixture chromium) : ControllerTestBase(etcd), IClassFixture<ChromiumFixture>
{
    private readonly EtcdFixture _etcd = etcd;

    [Fact]
    public async Task OneTimeLink_SignsInAsTheTokensHolder_Once()
    {
        using var http = new HttpClient { BaseAddress = H.Api, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(ConsoleEndpoints.LinksApi, null)).StatusCode);
        http.DefaultRequestHeaders.Authorization = new("Bearer", ControllerHarness.OperatorToken);
        var made = await http.PostAsync(ConsoleEndpoints.LinksApi, null);
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var link = System.Text.Json.JsonDocument.Parse(await made.Content.ReadAsStringAsync()).RootElement.GetProperty("url").GetString()!;
        Assert.StartsWith(new Uri(H.Api, "console/sign-in/link?code=").ToString(), link, StringComparison.Ordinal);

        // Opening it uses nothing up (a link preview may open it); the button signs in as the token's holder.
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(link);
        await page.GotoAsync(link);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("signs you in once as otto (operator)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as otto" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/$"));
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("Signed in as otto (operator)");

        // Used up: another browser gets the way to sign in with a token instead.
        var other = await chromium.NewPageAsync();
        await other.GotoAsync(link);
        await Assertions.Expect(other.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This sign-in link was used already or has expired.");
        await Assertions.Expect(other.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task OneTimeLink_RedeemedByManyAtOnce_SignsInExactlyOne()
    {
        var links = new ConsoleLinks(H.Etcd);
        for (var round = 0; round < 5; round++)
        {
            var code = await links.CreateAsync(new ConsoleUser("otto", "operator"), default);
            Assert.Equal(new ConsoleUser("otto", "operator"), await links.PeekAsync(code, default));

            var redeemed = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => links.RedeemAsync(code, default))));

            Assert.Single(redeemed, user => user is not null);
            Assert.Null(await links.PeekAsync(code, default));
        }

        Assert.Null(await links.RedeemAsync("not-a-code", default));
        Assert.Null(await links.RedeemAsync("", default));
    }

    [Fact]
    public async Task SignIn_WithAnApiToken_ListsTheRunningRelease_AndSignOutEndsTheSession()
    {
        await H.ServiceAsync("alpha", "  - deploy: {}\n  - setWeight: 20\n  - pause: {}\n  - promote: {}");
        var release = await H.StartAsync("alpha", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(new Uri(H.Api, "console/").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());
        await page.GetByLabel("API token").FillAsync("not-a-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("token: not one this controller accepts");

        await page.GetByLabel("API token").FillAsync(ControllerHarness.Token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var row = page.GetByRole(AriaRole.Table, new() { Name = "Active releases" }).Locator($"tr[data-release='{release.Id}']");
        await Assertions.Expect(row).ToContainTextAsync("alpha");
        await Assertions.Expect(row).ToContainTextAsync("v1 -> v2");
        await Assertions.Expect(row).ToContainTextAsync("Paused");
        await Assertions.Expect(row).ToContainTextAsync("3/4 (pause)");
        await Assertions.Expect(row).ToContainTextAsync("stable 80 / canary 20");
        await Assertions.Expect(row.GetByRole(AriaRole.Img)).ToHaveAttributeAsync("aria-label", "stable 80%, canary 20%");
        await Assertions.Expect(page.GetByText("Signed in as test (admin)")).ToBeVisibleAsync();
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == ConsoleSession.CookieName);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal("/console", session.Path);
        Assert.DoesNotContain(ControllerHarness.Token, session.Value, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());
        await page.GotoAsync(new Uri(H.Api, "console/").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());
    }

    [Fact]
    public async Task Session_IsGoodOnEveryControllerOfOneEtcd_ButNotForTheApi_AndSignInWithoutItsFormTokenIsRefused()
    {
        await using var other = await ControllerHarness.StartAsync(_etcd, runReleases: false, prefix: H.Prefix);
        Assert.DoesNotContain(await etcdKeys(), key => key.StartsWith($"{H.Prefix}console/", StringComparison.Ordinal));
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

        var form = await http.GetStringAsync(new Uri(H.Api, "console/sign-in"));
        var formToken = ConsoleHttp.FormToken(form);
        Assert.True(formToken.Length > 0, form);
        using var forged = await http.PostAsync(new Uri(H.Api, "console/sign-in"), new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = ControllerHarness.Token }));
        using var signedIn = await http.PostAsync(new Uri(H.Api, "console/sign-in"),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = ControllerHarness.Token, ["__RequestVerificationToken"] = formToken }));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/console/", signedIn.Headers.Location?.ToString());

        // Cookies are not told apart by port: the session made by H goes to the other controller too, which reads it
        // with the key ring both keep in etcd.
        using var onOther = await http.GetAsync(new Uri(other.Api, "console/"));
        Assert.Equal(HttpStatusCode.OK, onOther.StatusCode);
        Assert.Contains("Signed in as test (admin)", await onOther.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(await etcdKeys(), key => key.StartsWith($"{H.Prefix}console/keys/", StringComparison.Ordinal));

        using var api = await http.GetAsync(new Uri(H.Api, "api/v1/releases"));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);

        async Task<IReadOnlyList<string>> etcdKeys() =>
            [.. (await H.Etcd.RangePrefixAsync(H.Prefix, 0, default)).Kvs.Select(kv => kv.Key.ToStringUtf8())];
    }

    private Regex SignInUrl() => new($"^{Regex.Escape(new Uri(H.Api, "console/sign-in").ToString())}(\\?.*)?$");
}
