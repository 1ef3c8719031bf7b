using LightMesh.Core.Releases;
using LightMesh.Releases.Requests;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A release is woken the moment something happens to it, not at the workflow host's next poll: with a poll (and a
/// sweep) of ten minutes, an operator's resume and a timed pause's end still carry the release on at once. Without the
/// wake-up feed neither would reach it before the poll.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class WakeUpFeedTests(EtcdFixture etcd) : ControllerTestBase(etcd)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMinutes(10);

    protected override Func<ReleaseEngineOptions, ReleaseEngineOptions> Engine => o => o with { PollInterval = Poll, RecheckInterval = Poll };

    [Fact]
    public async Task ResumeAndATimedPause_WakeTheRelease_LongBeforeThePoll()
    {
        await H.ServiceAsync("alpha", """
              - deploy: {}
              - setWeight: 10
              - pause: {}
              - setWeight: 30
              - pause: {duration: 1s}
              - setWeight: 60
              - promote: {}
            """);
        var id = (await H.StartAsync("alpha", "v2")).Id;
        var paused = await H.WaitForPhaseAsync(id, ReleasePhase.Paused);
        Assert.Equal(2, paused.Step);

        // Acted on through the same service every API and verb uses, on the leading controller or any other.
        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.ActAsync(id, OperatorAction.Resume, "alice", default)).Outcome);

        var done = await H.WaitForPhaseAsync(id, ReleasePhase.Succeeded);
        Assert.Contains(done.Events, e => e.Action == "pause done" && e.Actor == "alice");
        Assert.True(done.Events[^1].At - paused.Events[^1].At < Poll / 10, $"the release took {done.Events[^1].At - paused.Events[^1].At} from its pause to its end");
    }
}
