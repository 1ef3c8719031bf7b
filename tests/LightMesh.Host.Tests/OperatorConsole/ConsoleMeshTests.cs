using LightMesh.ControlPlane.Reports;
using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;
using LightMesh.Etcd;
using LightMesh.Etcd.Registry;
using LightMesh.Testing;
using Microsoft.Playwright;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>The console's mesh page in a real Chromium: what runs where, who gets which share of traffic, and which proxies are behind or rejected a push.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ConsoleMeshTests(EtcdFixture etcd, ChromiumFixture chromium) : ControllerTestBase(etcd), IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Mesh_ShowsWeightsPerRouteInstancesByNodeProxiesWithTheirNack_SchedulesAndWindows()
    {
        await H.ServiceAsync("zeta", "  - deploy: {}\n  - setWeight: 25\n  - pause: {}\n  - promote: {}", null, "v1", "v2");
        var opens = DateTimeOffset.UtcNow.AddDays(1);
        await using var extras = await MeshSample.AddAsync(H, opens);

        var release = await H.StartAsync("zeta", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);
        await MeshSample.ReportProxyAsync(H);

        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.ViewerToken);

        // The report reaches this controller's view of the mesh through its watch: read the page until it shows.
        var proxy = page.Locator("#proxies tr[data-proxy='proxy-elsewhere']");
        await Poll.UntilAsync(
            async () =>
            {
                await page.GotoAsync(new Uri(H.Api, "console/mesh").ToString());
                return await proxy.CountAsync();
            },
            count => count == 1, TimeSpan.FromSeconds(20), "the other controller's proxy on the mesh page");

        var service = page.Locator("#services tr[data-service='zeta']");
        await Assertions.Expect(service).ToContainTextAsync("v1 ×1, v2 ×2");
        await Assertions.Expect(service.Locator(".shares")).ToHaveTextAsync("stable (v1) 75% · canary (v2) 25%");
        await Assertions.Expect(service.GetByRole(AriaRole.Link, new() { Name = release.Id })).ToHaveAttributeAsync("href", $"/console/releases/{release.Id}");

        var onA = page.Locator("table.instances[data-node='node-a'] tbody tr");
        await Assertions.Expect(onA).ToHaveCountAsync(1);
        Assert.Equal(["zeta", "v2", "zeta-on-a", "127.0.0.21:21000"], (await onA.Locator("td").AllInnerTextsAsync()).Take(4));
        await Assertions.Expect(page.Locator("table.instances[data-node='(no node)'] tbody tr")).ToHaveCountAsync(2);

        await Assertions.Expect(proxy).ToContainTextAsync("elsewhere");
        await Assertions.Expect(proxy).ToContainTextAsync("7 (behind 9)");
        await Assertions.Expect(proxy.Locator("td").Last).ToHaveTextAsync("Route 6: bad regex");

        var schedule = page.Locator("#schedules tbody tr");
        await Assertions.Expect(schedule).ToContainTextAsync("zeta-nightly");
        await Assertions.Expect(schedule).ToContainTextAsync("zeta v9 with zeta-flow");
        await Assertions.Expect(schedule.Locator("td").Nth(3)).ToHaveTextAsync("suspended");
        var window = page.Locator("#windows tbody tr");
        await Assertions.Expect(window.Locator("td").Nth(3)).ToHaveTextAsync("not in force");
        await Assertions.Expect(window.Locator("td").Nth(4)).ToHaveTextAsync($"begins {LightMesh.Host.Api.ReleaseText.Time(opens)}");
    }
}

/// <summary>
/// What a mesh page shows beyond services and releases: a Node with an instance on it, a suspended schedule, a freeze
/// that begins at a given time, and another controller's report of a proxy that rejected a push.
/// </summary>
internal sealed class MeshSample(InstanceRegistration registration) : IAsyncDisposable
{
    public static async Task<MeshSample> AddAsync(ControllerHarness h, DateTimeOffset freezeBegins)
    {
        await h.ApplyAsync(TestMeshes.Join(
            "apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {name: node-a}\nspec: {address: 127.0.0.21}",
            "apiVersion: lightmesh.io/v1\nkind: Schedule\nmetadata: {name: zeta-nightly}\nspec: {service: zeta, workflow: zeta-flow, version: v9, cron: \"0 0 2 * * ?\", suspend: true}",
            $"apiVersion: lightmesh.io/v1\nkind: DeliveryWindow\nmetadata: {{name: zeta-freeze}}\nspec: {{type: freeze, services: [zeta], start: '{freezeBegins:O}', end: '{freezeBegins.AddHours(2):O}'}}"));
        var registry = new InstanceRegistry(h.Etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        var onNode = new Instance { Service = "zeta", Id = "zeta-on-a", Version = "v2", Address = "127.0.0.21", Port = 21000, Node = "node-a", Labels = new Dictionary<string, string> { ["version"] = "v2" } };
        var registered = await registry.RegisterAsync(onNode, TimeSpan.FromSeconds(30), default);
        Assert.True(registered.Succeeded, registered.Conflict);
        return new MeshSample(registered.Registration!);
    }

    /// <summary>
    /// Another controller's report of a proxy of zeta that is behind and rejected a push. Written once the releases are
    /// where the test wants them: a proxy that never converges holds every change to zeta's routes.
    /// </summary>
    public static async Task ReportProxyAsync(ControllerHarness h)
    {
        var key = h.Etcd.Keys.ControlPlane("elsewhere");
        var lease = (await h.Etcd.LeaseGrantAsync(TimeSpan.FromSeconds(60), default)).ID;
        var report = new ControllerReport("elsewhere", "127.0.0.1:1", 7, 9, DateTimeOffset.UtcNow, [new ReportedProxy("proxy-elsewhere", "ads-3", "test", 7, ["zeta"], Nacks: [new("Route", "6", "bad regex")])]);
        Assert.True((await new GuardedTxn().Absent(key).Put(key, report.ToJson(), lease).CommitAsync(h.Etcd, default)).Succeeded);
    }

    public ValueTask DisposeAsync() => registration.DisposeAsync();
}
