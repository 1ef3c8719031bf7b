using LightMesh.ControlPlane.Mesh;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.Releases.Telemetry;
using LightMesh.DurableExecution;
using Microsoft.Extensions.Logging;
using LightMesh.Releases.Requests;
using LightMesh.Releases.Steps;

namespace LightMesh.Releases.Runs;

/// <summary>What a release waits for after <see cref="ReleaseRunner.AdvanceAsync"/>: nothing (it ended), or a wake-up.</summary>
/// <param name="AsOf">The time just before the state was last read: a wake-up from then on may carry news.</param>
public sealed record RunnerOutcome(bool Finished, DateTime AsOf);

/// <summary>
/// Moves one release forward as far as it can go now: reads its state, carries out the decider's command, feeds the
/// outcome back to the decider and saves the new state (guarded by the revision read, fenced by the term), until the
/// release has to wait. A command runs only while the release is unchanged: an operator's abort cancels it at once.
/// An analysis saves what it could not measure while it runs (<see cref="RunningStatus"/>): those saves of its own do not
/// stop it, and the outcome is saved guarded by the revision of the last of them.
/// </summary>
public sealed class ReleaseRunner(
    ReleaseStore store,
    ICommandExecutor executor,
    EtcdMeshSource watched,
    ReleaseTimers timers,
    BackgroundAnalyses background,
    DeliveryGate gate,
    LeaderTerm leader,
    TimeProvider time,
    ReleaseEngineOptions options,
    ILogger<ReleaseRunner> logger)
{
    // A bound on commands per wake-up, so a release that keeps conflicting cannot hold a worker for ever.
    private const int MaxCommandsPerRun = 200;

    public async Task<RunnerOutcome> AdvanceAsync(string releaseId, CancellationToken cancellationToken)
    {
        for (var i = 0; i < MaxCommandsPerRun; i++)
        {
            var asOf = time.GetUtcNow().UtcDateTime;

            // Followed before the read, so a change after it reaches the command's watch (WhileUnchangedAsync).
            using var changes = watched.Follow(store.KeyOf(releaseId));
            var (state, revision) = await store.GetAsync(releaseId, cancellationToken);
            if (state is null)
            {
                Log.ReleaseMissing(logger, releaseId);
                return new RunnerOutcome(true, asOf);
            }

            background.Ensure(state);
            var command = ReleaseDecider.Pending(state, time.GetUtcNow());
            ReleaseInput? input;
            switch (command)
            {
                case Finished:
                    return new RunnerOutcome(true, asOf);
                case WaitForOperator when state.IsHeld:
                    var verdict = await gate.CheckAsync(state.Service, revision, cancellationToken);
                    if (!verdict.Open)
                    {
                        // Woken when the next window opens, or sooner to see an edited window.
                        var recheck = time.GetUtcNow() + options.RecheckInterval;
                        timers.Arm(releaseId, verdict.NextChange is { } change && change < recheck ? change : recheck);
                        return new RunnerOutcome(false, asOf);
                    }

                    input = new WindowOpened(verdict.Reason);
                    break;
                case WaitForOperator:
                    timers.Arm(releaseId, time.GetUtcNow() + options.RecheckInterval);
                    return new RunnerOutcome(false, asOf);
                case WaitUntil wait when wait.Until > time.GetUtcNow():
                    timers.Arm(releaseId, wait.Until);
                    return new RunnerOutcome(false, asOf);
                case WaitUntil:
                    input = new TimerFired();
                    break;
                case DeployCanary or SetCanaryWeight or SetReleaseRoute or RestoreRoutes or RunAnalysis or CallWebhook or Promote { Move: ReleaseMoves.FirstPromotion }
                    when await gate.CheckAsync(state.Service, revision, cancellationToken) is { Open: false } closed:
                    // A step only starts inside a delivery window; one already running (a promotion past its first move) finishes.
                    input = new WindowClosed(closed.Reason);
                    break;
                default:
                    Log.CarryingOut(logger, state.Id, state.Service, state.Step, command.GetType().Name);
                    var status = command is RunAnalysis ? new RunningStatus(store, leader, state, revision, logger, cancellationToken) : null;
                    try
                    {
                        input = await WhileUnchangedAsync(state, revision, changes, status, token => CarryOutAsync(state, command, status, token), cancellationToken);
                    }
                    finally
                    {
                        // No save of the status outlives its command; the outcome is saved at the revision of its last one.
                        revision = status is null ? revision : await status.CloseAsync();
                    }

                    if (input is null)
                    {
                        continue; // the release changed meanwhile: decide again from what it is now
                    }

                    break;
            }

            var decision = ReleaseDecider.Decide(state, input, time.GetUtcNow());
            if (decision.Refused is not null || ReferenceEquals(decision.State, state))
            {
                // Nothing moved (a rollback that must be tried again, an outcome that came too late): try later.
                Log.NoProgress(logger, state.Id, state.Service, state.Step, decision.Refused ?? Describe(input));
                timers.Arm(releaseId, time.GetUtcNow() + options.RetryDelay);
                return new RunnerOutcome(false, asOf);
            }

            var written = await store.SaveAsync(decision.State, revision, leader, cancellationToken);
            if (written == ReleaseWriteOutcome.NotLeader)
            {
                throw new NotLeaderException(leader.Revision);
            }

            if (written == ReleaseWriteOutcome.Written)
            {
                ReleaseMetrics.Saved(state, decision.State);
            }
        }

        timers.Arm(releaseId, time.GetUtcNow() + options.RetryDelay);
        return new RunnerOutcome(false, time.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// Carries out <paramref name="command"/> and says how it went as the decider's input. Nothing it throws escapes but
    /// cancellation and the loss of leadership: a failure that may pass (a server unreachable, a node busy) is retried
    /// with backoff, anything else fails the step with the reason.
    /// </summary>
    private async Task<ReleaseInput> CarryOutAsync(ReleaseState state, ReleaseCommand command, RunningStatus? status, CancellationToken cancellationToken)
    {
        try
        {
            return command switch
            {
                DeployCanary deploy => Outcome(state, await executor.DeployCanaryAsync(state, deploy.Replicas, cancellationToken)),
                SetCanaryWeight weight => Outcome(state, await executor.SetCanaryWeightAsync(state, weight.Weight, cancellationToken)),
                SetReleaseRoute route => Outcome(state, await executor.SetReleaseRouteAsync(state, route.Route, cancellationToken)),
                RestoreRoutes restore => Outcome(state, await executor.RestoreRoutesAsync(state, restore.Weight, cancellationToken), new RoutesRestored()),
                RunAnalysis run => await executor.AnalyzeAsync(state, run.Templates, run.Args, false, status, cancellationToken),
                CallWebhook hook => Outcome(state, await executor.CallWebhookAsync(state, hook.Webhook, cancellationToken)),
                Promote promote => Outcome(state, await executor.PromoteAsync(state, promote.Move, cancellationToken), new PromotionMoved(state.Step, promote.Move)),
                RollBack rollBack => Outcome(state, await executor.RollBackAsync(state, rollBack.Move, cancellationToken), new RollbackMoved(rollBack.Move)),
                _ => throw new InvalidOperationException($"no way to carry out {command.GetType().Name}"),
            };
        }
        catch (Exception e) when (e is not (OperationCanceledException or NotLeaderException))
        {
            var failure = StepFailures.Describe(e);
            Log.CommandFailed(logger, state.Id, state.Service, state.Step, command.GetType().Name, failure.Transient, e);
            return failure.Transient ? Retry(state, failure.Reason, null) : new StepFailed(state.Step, failure.Reason);
        }
    }

    private ReleaseInput Outcome(ReleaseState state, StepResult result, ReleaseInput? done = null)
    {
        if (result.NotLeader)
        {
            throw new NotLeaderException(leader.Revision);
        }

        return result switch
        {
            { Succeeded: true } => done ?? new StepSucceeded(state.Step),

            // Waiting for a node is not a failure, within the time a deploy may take; nor is waiting for proxies, within
            // the release's progress deadline.
            { Busy: true } => Retry(state, result.Reason, options.DeployTimeout),
            { NotYet: true } => Retry(state, result.Reason, null),

            // A rollback is never given up: what failed is tried again until the old version is stable.
            _ when state.RollingBack is not null => Retry(state, result.Reason, null),
            _ => new StepFailed(state.Step, result.Reason),
        };
    }

    /// <summary>The command is tried again after a backoff that doubles with each try.</summary>
    private StepInterrupted Retry(ReleaseState state, string reason, TimeSpan? giveUpAfter)
    {
        var attempt = (state.Retry?.Attempt ?? 0) + 1;
        return new StepInterrupted(state.Step, reason, time.GetUtcNow() + StepRetry.Backoff(attempt, options.RetryDelay, options.MaxRetryDelay), giveUpAfter);
    }

    /// <summary>
    /// Runs <paramref name="work"/>, cancelling it if the release's key changes after <paramref name="revision"/> (other
    /// than by <paramref name="status"/>'s saves); null when it did. The changes come from the controller's one watch
    /// (<see cref="EtcdMeshSource.Follow"/>), not a watch per command.
    /// </summary>
    private async Task<ReleaseInput?> WhileUnchangedAsync(
        ReleaseState state, long revision, KeySubscription changes, RunningStatus? status, Func<CancellationToken, Task<ReleaseInput>> work, CancellationToken cancellationToken)
    {
        using var changed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = WatchForChangeAsync(changed.Token);
        try
        {
            var result = await work(changed.Token);
            return changed.IsCancellationRequested && !cancellationToken.IsCancellationRequested ? null : result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.CommandInterrupted(logger, state.Id, state.Service, state.Step);
            return null;
        }
        finally
        {
            await changed.CancelAsync();
            await watch;
        }

        async Task WatchForChangeAsync(CancellationToken token)
        {
            try
            {
                await foreach (var change in changes.Changes.ReadAllAsync(token))
                {
                    // Changes the read already saw are passed over; a resynchronisation's change has no value, and counts.
                    if (change.ModRevision > revision && (change.IsDelete || status is null || !await status.SavedAsync(change.ModRevision)))
                    {
                        await changed.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The command ended first.
            }
        }
    }

    private static string Describe(ReleaseInput input) => input switch
    {
        StepFailed failed => failed.Reason,
        StepInterrupted interrupted => interrupted.Reason,
        _ => input.GetType().Name,
    };
}
