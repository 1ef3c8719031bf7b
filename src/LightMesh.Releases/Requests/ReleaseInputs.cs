using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.DurableExecution;
using LightMesh.Releases.Runs;

namespace LightMesh.Releases.Requests;

/// <summary>How feeding an input to a release from outside its workflow went.</summary>
public enum InputOutcome
{
    Applied,
    NotFound,

    /// <summary>The decider refused it (nothing to approve, already paused, the release ended); see the reason.</summary>
    Refused,

    /// <summary>The release kept changing under us; try again.</summary>
    Conflict,
}

/// <summary>The result of <see cref="ReleaseInputs.ApplyAsync"/>: the outcome, the release after it, and why when refused.</summary>
public sealed record InputResult(InputOutcome Outcome, ReleaseState? Release, string? Reason = null);

/// <summary>
/// Feeds an input that comes from outside a release's workflow (an operator's action, the background analysis) to the
/// decider, saves the result guarded by the revision read, and wakes the release so its workflow acts on it.
/// </summary>
public sealed class ReleaseInputs(ReleaseStore store, IReleaseWaker waker, TimeProvider time, LeaderTerm? leader)
{
    private const int Attempts = 10;

    /// <summary>
    /// Feeds <paramref name="input"/>, made from the release as it is now, to release <paramref name="releaseId"/>; an input
    /// of null means it has nothing to do (it was done already), which is refused without a write.
    /// </summary>
    public async Task<InputResult> ApplyAsync(string releaseId, Func<ReleaseState, ReleaseInput?> input, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var (state, revision) = await store.GetAsync(releaseId, cancellationToken);
            if (state is null)
            {
                return new InputResult(InputOutcome.NotFound, null, $"no release {releaseId}");
            }

            if (input(state) is not { } given)
            {
                return new InputResult(InputOutcome.Refused, state, "done already");
            }

            var decision = ReleaseDecider.Decide(state, given, time.GetUtcNow());
            if (decision.Refused is { } why)
            {
                return new InputResult(InputOutcome.Refused, state, why);
            }

            switch (await store.SaveAsync(decision.State, revision, leader, cancellationToken))
            {
                case ReleaseWriteOutcome.Written:
                    Telemetry.ReleaseMetrics.Saved(state, decision.State);
                    await waker.WakeAsync(releaseId, cancellationToken);
                    return new InputResult(InputOutcome.Applied, decision.State);
                case ReleaseWriteOutcome.NotLeader:
                    throw new NotLeaderException(leader?.Revision ?? 0);
            }
        }

        return new InputResult(InputOutcome.Conflict, null, $"release {releaseId} kept changing; try again");
    }
}
