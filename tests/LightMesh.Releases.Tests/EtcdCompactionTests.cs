using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Maintenance;
using LightMesh.Releases.Leadership;
using LightMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LightMesh.Releases.Tests;

/// <summary>
/// The leading controller compacts etcd's history as it runs releases (here every second, so a test sees it): what was
/// written before is cut, and releases go on through it. Compaction is etcd-wide; this collection's tests run one at a
/// time, and each controller is stopped with its test.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdCompactionTests(EtcdFixture etcd) : ControllerTestBase(etcd)
{
    private readonly EtcdFixture _etcd = etcd;

    protected override Func<ReleaseEngineOptions, ReleaseEngineOptions>? Engine => e => e with { EtcdCompactionInterval = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task Releases_WhileTheLeaderCompactsEtcdEverySecond_SucceedAndTheHistoryBeforeThemIsCut()
    {
        await H.ServiceAsync("alpha", """
              - deploy: {}
              - setWeight: 50
              - pause: {duration: 3s}
              - promote: {}
            """);
        var before = (await H.Etcd.GetAsync(H.Etcd.Keys.CompactionMark, default)).Header.Revision;

        var first = await H.StartAsync("alpha", "v2");
        await H.WaitForPhaseAsync(first.Id, ReleasePhase.Succeeded);
        await Poll.UntilAsync(() => EtcdHistory.ReadableAtAsync(H.Etcd, H.Etcd.Keys.CompactionMark, before), readable => !readable, TimeSpan.FromSeconds(15), $"etcd's history cut past revision {before}");
        var second = await H.StartAsync("alpha", "v4");
        await H.WaitForPhaseAsync(second.Id, ReleasePhase.Succeeded);

        Assert.Equal("v4", await H.StableVersionAsync("alpha"));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("alpha"));
    }

    [Fact]
    public async Task Loop_WithAZeroInterval_EndsWithoutARound()
    {
        using var connection = _etcd.Connect(_etcd.NewPrefix());
        await using var term = (await new LeaderElection(connection, "controller", TimeProvider.System).TryLeadAsync("a", TimeSpan.FromSeconds(2), default))!;
        var loop = new EtcdCompactionLoop(
            new HistoryCompactor(connection, TimeProvider.System), term, new ReleaseEngineOptions { EtcdCompactionInterval = TimeSpan.Zero },
            TimeProvider.System, NullLogger<EtcdCompactionLoop>.Instance);

        await loop.RunAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token).WaitAsync(TimeSpan.FromSeconds(5));

        // Every round sets a mark, so none was made. (This class's controller compacts etcd meanwhile, so whether a revision
        // is still readable says nothing here.)
        Assert.Equal(0, (await connection.GetAsync(connection.Keys.CompactionMark, default)).Count);
    }
}
