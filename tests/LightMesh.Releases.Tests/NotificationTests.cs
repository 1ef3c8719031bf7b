using System.Text.Json;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Tests;

/// <summary>
/// Notifications come from each release's event log in etcd, told by the leader: a transition saved when no controller
/// led (or by one that died before telling it) is told by the next leader, and one already told is not told again.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class NotificationTests(EtcdFixture etcd)
{
    private static List<(string Release, int Sequence, string Action)> Heard(RecordingEndpoint endpoint) =>
        endpoint.Requests.Where(r => r.Path == "/notify").Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Select(e => (e.GetProperty("release").GetString()!, e.GetProperty("sequence").GetInt32(), e.GetProperty("action").GetString()!)).ToList();

    [Fact]
    public async Task TransitionsSavedWithoutALeader_AreToldByTheNextLeader_AndNothingTwice()
    {
        using var endpoint = new RecordingEndpoint(new Dictionary<string, int> { ["/notify"] = 204 });
        string prefix;
        string id;

        // A controller that runs no releases takes the start: it saves "started" and tells no one.
        await using (var api = await ControllerHarness.StartAsync(etcd, runReleases: false))
        {
            prefix = api.Prefix;
            await api.ServiceAsync("alpha", "  - deploy: {}\n  - pause: {}\n  - promote: {}", $"  notifications: [\"{endpoint.Url("/notify")}\"]");
            id = (await api.StartAsync("alpha", "v2")).Id;
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Empty(Heard(endpoint));
        }

        // The first leader on that prefix tells it, then the transitions it makes itself.
        await using (var leader = await ControllerHarness.StartAsync(etcd, prefix: prefix))
        {
            await leader.InstancesAsync("alpha");
            var paused = await leader.WaitForPhaseAsync(id, ReleasePhase.Paused);
            var told = await Poll.UntilAsync(() => Task.FromResult(Heard(endpoint)), h => h.Count == paused.Events.Count, TimeSpan.FromSeconds(20), "every transition so far");
            Assert.Equal(paused.Events.Select((e, i) => (id, i, e.Action)), told);
        }

        // A later leader tells only what is new: resume, and the rest of the release.
        await using (var next = await ControllerHarness.StartAsync(etcd, prefix: prefix))
        {
            await next.InstancesAsync("alpha");
            Assert.Equal(ReleaseOutcome.Done, (await next.Releases.ActAsync(id, OperatorAction.Resume, "alice", default)).Outcome);
            var done = await next.WaitForPhaseAsync(id, ReleasePhase.Succeeded);
            var told = await Poll.UntilAsync(() => Task.FromResult(Heard(endpoint)), h => h.Count >= done.Events.Count, TimeSpan.FromSeconds(20), "the rest");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.Equal(done.Events.Select((e, i) => (id, i, e.Action)), Heard(endpoint));
        }
    }
}
