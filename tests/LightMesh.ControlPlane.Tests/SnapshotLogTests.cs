using LightMesh.Testing;

namespace LightMesh.ControlPlane.Tests;

/// <summary>What the control plane logs about routes it holds back: once when it starts, once when it ends.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class SnapshotLogTests(EtcdFixture etcd)
{
    private const string HeldBack = "checkout: routes send traffic to outbound|8080|v2|checkout with no endpoints";

    [Fact]
    public async Task HeldBackRoutes_AreLoggedOnceWhileTheyLast_AndWhenTheyClear()
    {
        var log = new LogLines();
        await using var harness = await ControlPlaneHarness.StartAsync(etcd, log: log);
        await harness.RegisterAsync("checkout", "v1", 9301);
        await NextSnapshotAsync(log, 0);

        // All traffic to v2, which has no instance: held back, and still held back at the next two snapshots.
        var snapshots = Published(log);
        await harness.SetWeightsAsync(0, 100);
        snapshots = await NextSnapshotAsync(log, snapshots);
        await harness.RegisterAsync("payments", "v1", 9302);
        snapshots = await NextSnapshotAsync(log, snapshots);
        await harness.RegisterAsync("payments", "v1", 9303);
        snapshots = await NextSnapshotAsync(log, snapshots);

        Assert.True(log.Lines.Count(l => l.Contains("Not sent", StringComparison.Ordinal) && l.Contains(HeldBack, StringComparison.Ordinal)) == 1, log.ToString());

        await harness.RegisterAsync("checkout", "v2", 9304);
        await NextSnapshotAsync(log, snapshots);

        Assert.Single(log.Lines, l => l.Contains("Sent again", StringComparison.Ordinal) && l.Contains(HeldBack, StringComparison.Ordinal));
    }

    private static int Published(LogLines log) => log.Lines.Count(l => l.Contains("Published xDS snapshot", StringComparison.Ordinal));

    private static Task<int> NextSnapshotAsync(LogLines log, int seen) =>
        Poll.UntilAsync(() => Task.FromResult(Published(log)), n => n > seen, TimeSpan.FromSeconds(10), $"snapshot {seen + 1}");
}
