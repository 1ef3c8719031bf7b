using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;

namespace LightMesh.Bench;

/// <summary>
/// Ended releases written to etcd before a benchmark runs, as a controller stores them (created, then saved as ended:
/// the release, its index entry, no active key), so the run is measured with a history behind it.
/// </summary>
internal static class BenchHistory
{
    private static readonly ReleaseWorkflowSpec Spec = new() { Steps = [new DeployStep(null), new SetWeightStep(10), new SetWeightStep(50), new PauseStep(null), new PromoteStep()] };

    /// <summary>Writes <paramref name="count"/> succeeded releases spread over <paramref name="services"/>, each of about 4 KiB, the last ended a minute ago.</summary>
    public static Task WriteAsync(ReleaseStore store, IReadOnlyList<string> services, int count, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var releases = Enumerable.Range(0, count).Select(i => Ended($"{services[i % services.Count]}-history-{i:D5}", services[i % services.Count], now.AddMinutes(-count + i - 2)));
        return Parallel.ForEachAsync(releases.GroupBy(r => r.Service), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (service, token) =>
        {
            foreach (var release in service)
            {
                var created = release with { Phase = ReleasePhase.Progressing, Step = 0, Events = release.Events.Take(1).ToList() };
                if (await store.CreateAsync(created, null, token) != ReleaseWriteOutcome.Written)
                {
                    throw new LightMeshException($"history release {release.Id}: {release.Service} has an active release");
                }

                var (_, revision) = await store.GetAsync(release.Id, token);
                await store.SaveAsync(release, revision, null, token);
            }
        });
    }

    /// <summary>A release that went through the benchmark's steps in a minute: its event log is what makes it about 4 KiB.</summary>
    private static ReleaseState Ended(string id, string service, DateTimeOffset started)
    {
        string[] actions = ["deploy done", "setWeight done", "setWeight done", "paused", "resumed", "pause done"];
        var events = new List<ReleaseEvent> { new(started, 0, "started", "bench", $"{service} v1 -> v2 with {BenchReleasesCommand.Workflow}") };
        for (var round = 0; round < 4; round++)
        {
            events.AddRange(actions.Select((action, step) => new ReleaseEvent(started.AddSeconds(events.Count), Math.Min(step, 4), action, "controller", $"{action}: {new string('.', 80)}")));
        }

        events.Add(new ReleaseEvent(started.AddMinutes(1), Spec.Steps.Count, "succeeded", "controller", "promoted"));
        return new ReleaseState
        {
            Id = id, Service = service, Version = "v2", StableVersion = "v1", Workflow = BenchReleasesCommand.Workflow, Spec = Spec, Phase = ReleasePhase.Succeeded,
            Step = Spec.Steps.Count, StartedAt = started, LastProgressAt = started.AddMinutes(1), Events = events, StartedBy = "bench",
        };
    }
}
