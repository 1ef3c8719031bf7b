using System.Collections.Concurrent;
using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.Logging;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Steps;

/// <summary>
/// Runs each release's background analysis from its starting step on, and a group member's group analysis from its
/// start, beside the steps and through pauses, for one leadership term. A failed run aborts the release at once: the failure is fed to the decider (a fenced, guarded
/// write) and the release is woken to roll back.
/// </summary>
public sealed class BackgroundAnalyses(
    ReleaseStore store,
    Func<ICommandExecutor> executor,
    ReleaseInputs inputs,
    TimeProvider time,
    ReleaseEngineOptions options,
    ILogger<BackgroundAnalyses> logger,
    CancellationToken term)
{
    // One run per release and analysis: its own background analysis, and the group's (Group true).
    private readonly ConcurrentDictionary<(string Release, bool Group), Task> _running = new();

    public int Running => _running.Count;

    /// <summary>Starts the release's background analysis, and its group's, where each should be running and is not.</summary>
    public void Ensure(ReleaseState release)
    {
        foreach (var group in new[] { false, true })
        {
            var key = (release.Id, group);
            if (Of(release, group) is not null && !_running.ContainsKey(key))
            {
                var started = new TaskCompletionSource();
                if (_running.TryAdd(key, started.Task))
                {
                    _ = RunAsync(release.Id, group).ContinueWith(t => { _running.TryRemove(key, out _); started.SetResult(); }, TaskScheduler.Default);
                }
            }
        }
    }

    /// <summary>The analysis to run now: the release's own from its starting step, or its group's from the start; null when none (or the release ends).</summary>
    private static BackgroundAnalysis? Of(ReleaseState release, bool group)
    {
        if (release.IsFinished || release.RollingBack is not null)
        {
            return null;
        }

        return group ? release.GroupAnalysis
            : release.Spec.BackgroundAnalysis is { } own && release.Step >= (own.StartingStep ?? 0) ? own : null;
    }

    private async Task RunAsync(string releaseId, bool group)
    {
        try
        {
            while (!term.IsCancellationRequested)
            {
                var (release, _) = await store.GetAsync(releaseId, term);
                if (release is null || Of(release, group) is not { } background)
                {
                    return;
                }

                AnalysisEnded ended;
                try
                {
                    ended = await executor().AnalyzeAsync(release, background.Templates, background.Args, true, null, term);
                }
                catch (Core.ServerUnreachableException e)
                {
                    // Prometheus (or etcd) away judges nothing: measure again at the next interval.
                    Log.BackgroundUnreachable(logger, release.Id, release.Service, e.Message);
                    await Task.Delay(options.BackgroundInterval, time, term);
                    continue;
                }

                if (ended.Phase is AnalysisPhase.Failed or AnalysisPhase.Error)
                {
                    Log.BackgroundFailed(logger, release.Id, release.Service, ended.Reason);
                    await inputs.ApplyAsync(releaseId, _ => new BackgroundAnalysisFailed(ended.Reason, ended.Metrics, group), term);
                    return;
                }

                await Task.Delay(options.BackgroundInterval, time, term);
            }
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
            // The term ended; the next leader starts the analysis again.
        }
        catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException)
        {
            Log.BackgroundInterrupted(logger, releaseId, e);
        }
    }
}
