using System.Collections.Concurrent;
using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.Logging;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Steps;

/// <summary>
/// Runs each release's background analysis from its starting step on, beside the steps and through pauses, for one
/// leadership term. A failed run aborts the release at once: the failure is fed to the decider (a fenced, guarded
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
    private readonly ConcurrentDictionary<string, Task> _running = new();

    public int Running => _running.Count;

    /// <summary>Starts the release's background analysis if it should be running and is not.</summary>
    public void Ensure(ReleaseState release)
    {
        if (ShouldRun(release) && !_running.ContainsKey(release.Id))
        {
            var started = new TaskCompletionSource();
            if (_running.TryAdd(release.Id, started.Task))
            {
                _ = RunAsync(release.Id).ContinueWith(t => { _running.TryRemove(release.Id, out _); started.SetResult(); }, TaskScheduler.Default);
            }
        }
    }

    private static bool ShouldRun(ReleaseState release) =>
        release.Spec.BackgroundAnalysis is { } background && !release.IsFinished && release.RollingBack is null
        && release.Step >= (background.StartingStep ?? 0);

    private async Task RunAsync(string releaseId)
    {
        try
        {
            while (!term.IsCancellationRequested)
            {
                var (release, _) = await store.GetAsync(releaseId, term);
                if (release is null || !ShouldRun(release))
                {
                    return;
                }

                var background = release.Spec.BackgroundAnalysis!;
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
                    await inputs.ApplyAsync(releaseId, _ => new BackgroundAnalysisFailed(ended.Reason, ended.Metrics), term);
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
