using System.Diagnostics;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;

namespace LightMesh.Cli.Bench;

/// <summary>Waiting for the releases: read from etcd, not through the controller, so the polling costs it nothing.</summary>
public sealed partial class BenchReleasesCommand
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan WarmUpTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Takes one release through every step, so the first measured releases do not pay for the controller's JIT.</summary>
    private static async Task WarmUpAsync(ReleaseApi api, ReleaseStore store, CancellationToken cancellationToken)
    {
        var started = await api.StartAllAsync([WarmUpService], 1, cancellationToken);
        if (started.Ids is not [var id])
        {
            throw new LightMeshException($"the warm-up release did not start: {started.Failure}");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal) { id };
        var paused = await WaitForAsync(store, ids, s => AtPauseStep(s) || s.IsFinished, "at the pause", WarmUpTimeout, cancellationToken);
        var resumed = paused.Done && paused.States[0].Phase == ReleasePhase.Paused ? await api.ResumeAllAsync([id], 1, cancellationToken) : null;
        var finished = resumed?.Ids.Count == 1 ? await WaitForAsync(store, ids, s => s.IsFinished, "ended", WarmUpTimeout, cancellationToken) : paused;
        if (finished.States is not [{ Phase: ReleasePhase.Succeeded }])
        {
            var events = finished.States.SelectMany(s => s.Events).Select(e => $"{e.Action}: {e.Reason}");
            throw new LightMeshException($"the warm-up release {id} did not succeed within {WarmUpTimeout.TotalSeconds} s{(resumed?.Failure is { } f ? $" (resume: {f})" : "")}: {string.Join("; ", events)}");
        }
    }

    /// <summary>Polls until every release in <paramref name="ids"/> is <paramref name="done"/>, or the time is up.</summary>
    private static async Task<(IReadOnlyList<ReleaseState> States, bool Done)> WaitForAsync(
        ReleaseStore store, HashSet<string> ids, Func<ReleaseState, bool> done, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var progress = Stopwatch.StartNew();
        while (true)
        {
            var states = await store.GetManyAsync([.. ids], cancellationToken);
            var count = states.Count(done);
            if (count == ids.Count || waited.Elapsed >= timeout)
            {
                return (states, count == ids.Count);
            }

            if (progress.Elapsed >= ProgressEvery && ids.Count > 1)
            {
                Output.Printer.Error($"bench: {waited.Elapsed.TotalSeconds:F0} s: {count} of {ids.Count} {what}; {PhasesOf(states)}");
                progress.Restart();
            }

            await Task.Delay(PollEvery, cancellationToken);
        }
    }

    /// <summary>How many releases are in each phase, and at which step the unfinished ones are.</summary>
    private static string PhasesOf(IReadOnlyList<ReleaseState> states) =>
        string.Join(", ", states
            .GroupBy(s => s.IsFinished ? s.Phase.ToString() : $"{s.Phase} at {s.CurrentStep?.Type ?? "the end"}{(s.RollingBack is null ? "" : " (rolling back)")}")
            .OrderByDescending(g => g.Count())
            .Select(g => $"{g.Count()} {g.Key}"));
}
