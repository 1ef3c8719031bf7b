using System.Diagnostics;
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

/// <summary>Two controllers on one etcd: one leads; when it dies the other takes over within the lease TTL and carries on.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class FailoverTests(EtcdFixture etcd) : IAsyncLifetime
{
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(2);
    private readonly string _prefix = etcd.NewPrefix();
    private readonly List<InstanceRegistration> _instances = [];
    private EtcdConnection? _etcd;

    public async Task InitializeAsync()
    {
        _etcd = etcd.Connect(_prefix);
        var parsed = DocumentParser.Parse(
            ControllerHarness.ServiceDocuments("failover", """
                  - deploy: {}
                  - setWeight: 30
                  - pause: {}
                  - setWeight: 60
                  - promote: {}
                """),
            "failover.yaml");
        Assert.Empty(parsed.Errors);
        await new DocumentStore(_etcd).ApplyAsync(parsed.Documents, default);
        var registry = new InstanceRegistry(_etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        foreach (var (version, port) in new[] { ("v1", 22001), ("v2", 22002) })
        {
            var outcome = await registry.RegisterAsync(new Instance { Service = "failover", Id = version, Version = version, Address = "127.0.0.1", Port = port, Labels = new Dictionary<string, string> { ["version"] = version } }, TimeSpan.FromSeconds(10), default);
            _instances.Add(outcome.Registration!);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        _etcd!.Dispose();
    }

    [Fact]
    public async Task LeaderKilled_StandbyTakesOverWithinTheLeaseTtl_AndContinuesTheRelease()
    {
        await using var servers = new ServerProcesses(etcd, _prefix, new Uri("http://127.0.0.1:9/"));
        var (leader, leaderApi, _) = await servers.StartAsync("a", "--lease-ttl", $"{LeaseTtl.TotalSeconds}s");
        await Poll.UntilAsync(() => ServerProcesses.ControllerAsync(leaderApi), c => c?.Leader == true, TimeSpan.FromSeconds(30), "a to lead");
        var (_, standbyApi, _) = await servers.StartAsync("b", "--lease-ttl", $"{LeaseTtl.TotalSeconds}s");
        var standby = (await ServerProcesses.ControllerAsync(standbyApi))!;
        Assert.Equal(new ControllerView("b", false, "a"), standby);

        // Any controller takes a release; the leader's workflows carry it out.
        var release = await ServerProcesses.StartReleaseAsync(standbyApi, "failover", "v2", "failover-flow");
        await ServerProcesses.WaitAsync(standbyApi, release.Id, r => r.Phase == ReleasePhase.Paused, "the untimed pause");

        var killed = Stopwatch.StartNew();
        await leader.DisposeAsync();
        await Poll.UntilAsync(() => ServerProcesses.ControllerAsync(standbyApi), c => c?.LeaderName == "b", TimeSpan.FromSeconds(15), "b to win the election");
        Assert.True(killed.Elapsed < LeaseTtl + TimeSpan.FromSeconds(2), $"b led {killed.Elapsed} after a died; the lease TTL is {LeaseTtl}");
        await Poll.UntilAsync(() => ServerProcesses.ControllerAsync(standbyApi), c => c?.Leader == true, TimeSpan.FromSeconds(15), "b to run the release engine");

        using var http = ServerProcesses.Client(TimeSpan.FromSeconds(30));
        using var resumed = await http.PostAsJsonAsync(new Uri(standbyApi, $"api/v1/releases/{release.Id}/resume"), new { actor = "alice" });
        Assert.True(resumed.IsSuccessStatusCode, await resumed.Content.ReadAsStringAsync());
        var done = await ServerProcesses.WaitAsync(standbyApi, release.Id, r => r.Phase == ReleasePhase.Succeeded, "success under the new leader");

        Assert.Equal(new WeightsView(100, 0), done.Weights);
        Assert.Equal(done.Events.Count, done.Events.Select(e => (e.Step, e.Action)).Distinct().Count());
        Assert.Equal(ReleasePhase.Succeeded, (await new ReleaseStore(_etcd!).GetAsync(release.Id, default)).State!.Phase);
    }
}
