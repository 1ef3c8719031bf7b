using LightMesh.Core.Releases;
using LightMesh.Releases.Requests;
using LightMesh.Testing;
using Microsoft.Playwright;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>The console's group page in a real Chromium: the members side by side in their order, each with its release, and the group's log; a member's page links to its group.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ConsoleGroupTests(EtcdFixture etcd, ChromiumFixture chromium) : ControllerTestBase(etcd), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task GroupPage_ShowsEachMemberWithItsRelease_TheOrder_AndTheLog_AndAMemberLinksToIt()
    {
        var (id, alpha) = await StartHeldAsync();

        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.ViewerToken);
        await page.GotoAsync(new Uri(H.Api, $"console/groups/{id}").ToString());

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Group pair: alpha v2, beta v4");
        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Progressing");
        await Assertions.Expect(page.Locator("#order")).ToHaveTextAsync("alpha first; beta after alpha");
        await Assertions.Expect(page.Locator("#graph g[data-member='beta']")).ToHaveAttributeAsync("data-column", "1");
        await Assertions.Expect(page.Locator("#graph line.after[data-from='alpha'][data-to='beta']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#graph g[data-member='beta'] .state")).ToHaveTextAsync("waiting");
        var first = page.Locator("#members tr[data-member='alpha'] td");
        Assert.Equal(["alpha", "v2", "-", alpha, "Progressing", "2", "50%", "-"], await first.AllInnerTextsAsync());
        await Assertions.Expect(first.Nth(3).GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/console/releases/{alpha}");
        Assert.Equal(["beta", "v4", "alpha", "not started", "waiting", "-", "-", "-"], await page.Locator("#members tr[data-member='beta'] td").AllInnerTextsAsync());
        await Assertions.Expect(page.Locator("#log tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#log tbody tr").Nth(1)).ToContainTextAsync("member started");
        await Assertions.Expect(page.Locator("ul.actions")).ToHaveCountAsync(0);

        await page.GotoAsync(new Uri(H.Api, $"console/releases/{alpha}").ToString());
        await Assertions.Expect(page.Locator("#group").GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/console/groups/{id}");

        var missing = await page.Context.APIRequest.GetAsync(new Uri(H.Api, "console/groups/no-such-group").ToString());
        Assert.Equal(404, missing.Status);
    }

    /// <summary>An operator's group actions from the console: each asks first what it does, then acts on the whole group as the API does.</summary>
    [Fact]
    public async Task AnOperator_PausesThenAbortsTheGroup_FromItsPage_ConfirmingEach()
    {
        var (id, alpha) = await StartHeldAsync();
        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.OperatorToken);
        await page.GotoAsync(new Uri(H.Api, $"console/groups/{id}").ToString());

        await page.GetByRole(AriaRole.Link, new() { Name = "pause", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#effect")).ToContainTextAsync("no member starts");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm pause" }).ClickAsync();
        await Assertions.Expect(page.Locator("#paused")).ToContainTextAsync("Paused by otto");
        var paused = await H.WaitAsync(alpha, r => r.Phase == ReleasePhase.Paused, "alpha paused by the group");
        Assert.Equal($"paused by otto (group {id}, action 1)", paused.PausedBecause);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "pause", Exact = true })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "abort", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm abort" }).ClickAsync();
        await Assertions.Expect(page.Locator("#why")).ToContainTextAsync("aborted by otto");
        await H.WaitForPhaseAsync(alpha, ReleasePhase.Aborted);
    }

    /// <summary>
    /// The group page follows the group as it changes, with no reload, even when only the group changes (an approval of
    /// the group's approval step given ahead touches no member's release); the releases page lists the group among the
    /// group releases, live too.
    /// </summary>
    [Fact]
    public async Task GroupPage_FollowsAChangeToTheGroupAlone_AndTheReleasesPageListsTheGroup()
    {
        var (id, alpha) = await StartHeldAsync("  - approval: {group: true}\n");
        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.ViewerToken);
        await page.GotoAsync(new Uri(H.Api, "console/").ToString());
        var row = page.Locator($"#groups tr[data-group='{id}'] td");
        Assert.Equal(["pair", "alpha v2, beta v4", "Progressing", "ci"], (await row.AllInnerTextsAsync()).Take(4));
        await Assertions.Expect(row.Nth(5).GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/console/groups/{id}");

        await page.GotoAsync(new Uri(H.Api, $"console/groups/{id}").ToString());
        await Assertions.Expect(page.Locator("#approved")).ToHaveCountAsync(0);
        var before = (await H.Releases.GetAsync(alpha, default))!.Events.Count;

        Assert.Equal(ReleaseOutcome.Done, (await H.Groups.ActAsync(id, OperatorAction.Approve, "carol", default)).Outcome);
        await Assertions.Expect(page.Locator("#approved")).ToContainTextAsync("Approved by carol");
        Assert.Equal(before, (await H.Releases.GetAsync(alpha, default))!.Events.Count);

        await page.GotoAsync(new Uri(H.Api, "console/").ToString());
        Assert.Equal(ReleaseOutcome.Done, (await H.Groups.AbortAsync(id, "carol", default)).Outcome);
        await Assertions.Expect(page.Locator($"#groups tr[data-group='{id}'] .phase")).ToHaveTextAsync("RolledBack", new() { Timeout = 30_000 });
    }

    /// <summary>
    /// The pair's group release with both members on a 10-minute pause after 50% (then <paramref name="beforePromotion"/>),
    /// once alpha holds there: the group's id and alpha's release.
    /// </summary>
    private async Task<(string Id, string Alpha)> StartHeldAsync(string beforePromotion = "")
    {
        foreach (var service in new[] { "alpha", "beta" })
        {
            await H.ServiceAsync(service, $"  - deploy: {{}}\n  - setWeight: 50\n  - pause: {{duration: 10m}}\n{beforePromotion}  - promote: {{}}\n");
        }

        await H.ApplyAsync(TestMeshes.PairGroup("alpha", "beta"));
        var started = await H.Groups.StartAsync("pair", new Dictionary<string, string> { ["alpha"] = "v2", ["beta"] = "v4" }, "ci", default);
        var alpha = ReleaseGroupState.ReleaseIdOf(started.Group!.Id, "alpha");
        await H.WaitAsync(alpha, r => r is { Phase: ReleasePhase.Progressing, PauseUntil: not null }, "alpha in its timed pause");
        return (started.Group.Id, alpha);
    }
}
