using System.Net.Http.Json;
using LightMesh.Core.Mesh;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A controller killed with SIGKILL in the middle of a group release, and another started: the group goes on from
/// where it was. Its first member, promoted, is not started again; its second, running, is not started twice; when the
/// second fails, the first is reverted once, and the group's log has every transition exactly once.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class GroupCrashTests(EtcdFixture etcd) : IAsyncLifetime
{
    private const string Steps = "  - deploy: {}\n  - setWeight: 20\n  - pause: {duration: 6s}\n  - analysis: {templates: [error-ratio]}\n  - promote: {}\n";

    private readonly string _prefix = etcd.NewPrefix();
    private readonly List<InstanceRegistration> _instances = [];
    private EtcdConnection? _etcd;
    private PrometheusServer? _prometheus;

    public async Task InitializeAsync()
    {
        _etcd = etcd.Connect(_prefix);
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30);
        var times = OpenMetrics.Times(end - TimeSpan.FromMinutes(10), end, TimeSpan.FromSeconds(10)).ToList();
        _prometheus = await PrometheusServer.StartAsync(new OpenMetrics()
            .Gauge("error_ratio", "service=\"gca\",version=\"v2\"", times, _ => 0.01)
            .Gauge("error_ratio", "service=\"gcb\",version=\"v3\"", times, _ => 0.4).ToString());
        var parsed = DocumentParser.Parse(
            TestMeshes.Join(
                ControllerHarness.Template,
                ControllerHarness.ServiceDocuments("gca", Steps),
                ControllerHarness.ServiceDocuments("gcb", Steps),
                TestMeshes.PairGroup("gca", "gcb")),
            "group.yaml");
        Assert.Empty(parsed.Errors);
        await new DocumentStore(_etcd).ApplyAsync(parsed.Documents, default);
        var registry = new InstanceRegistry(_etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        var port = 21100;
        foreach (var (service, version) in new[] { ("gca", "v1"), ("gca", "v2"), ("gcb", "v1"), ("gcb", "v3") })
        {
            var instance = new Instance { Service = service, Id = $"{service}-{version}", Version = version, Address = "127.0.0.1", Port = port++, Labels = new Dictionary<string, string> { ["version"] = version } };
            _instances.Add((await registry.RegisterAsync(instance, TimeSpan.FromSeconds(10), default)).Registration!);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        _etcd?.Dispose();
    }

    [Fact]
    public async Task KilledWhileTheSecondMemberRuns_TheNextControllerRollsTheGroupBack_DoingEachThingOnce()
    {
        await using var servers = new ServerProcesses(etcd, _prefix, _prometheus!.Address);
        var (first, firstApi, _) = await servers.StartAsync("first");
        string id;
        using (var http = ServerProcesses.Client(TimeSpan.FromSeconds(30)))
        using (var started = await http.PostAsJsonAsync(new Uri(firstApi, "api/v1/groups"), new { workflow = "pair", versions = new { gca = "v2", gcb = "v3" }, actor = "ci" }))
        {
            Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
            id = (await started.Content.ReadFromJsonAsync<GroupView>(ReleaseJson.Options))!.Id;
        }

        var groups = new ReleaseGroupStore(_etcd!);
        var releases = new ReleaseStore(_etcd!);
        await Poll.UntilAsync(
            async () => (await releases.GetAsync(ReleaseGroupState.ReleaseIdOf(id, "gcb"), default)).State,
            r => r is { PauseUntil: not null },
            TimeSpan.FromSeconds(45),
            "gcb at its timed pause, gca promoted");
        await first.DisposeAsync();

        var (_, secondApi, _) = await servers.StartAsync("second");
        var ended = await Poll.UntilAsync(async () => (await groups.GetAsync(id, default)).State!, g => g.IsFinished, TimeSpan.FromSeconds(60), "the group, on the second controller");

        Assert.Equal((GroupPhase.RolledBack, "gcb"), (ended.Phase, ended.FailedMember));
        Assert.Equal(
            ["group started", "member started", "member started", "rolling back", "member reverted", "group rolled back"],
            ended.Events.Select(e => e.Action));
        var ids = (await _etcd!.RangePrefixAsync(_etcd.Keys.Releases, 0, default)).Kvs.Select(kv => kv.Key.ToStringUtf8()[_etcd.Keys.Releases.Length..]).ToList();
        Assert.Equal(
            [ReleaseGroupState.ReleaseIdOf(id, "gca"), ReleaseGroupState.RevertIdOf(id, "gca", 1), ReleaseGroupState.ReleaseIdOf(id, "gcb")],
            ids.Order(StringComparer.Ordinal));
        Assert.All(await releases.GetManyAsync(ids, default), r => Assert.Equal(id, r.Group));
        Assert.Equal("v1", await StableAsync("gca"));
        Assert.Equal("v1", await StableAsync("gcb"));
    }

    private async Task<string> StableAsync(string service) =>
        ((Core.Networking.DestinationRule)(await new DocumentStore(_etcd!).GetAsync(Core.Documents.DocumentKind.DestinationRule, service, default))!)
            .Spec.Subsets.Single(s => s.Name == "stable").Labels["version"];
}
