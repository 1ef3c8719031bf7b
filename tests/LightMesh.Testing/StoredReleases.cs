using System.Text.Json;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Etcd;
using LightMesh.Etcd.Releases;

namespace LightMesh.Testing;

/// <summary>Releases written straight into etcd, as a controller stores them (or as it stored them before the release index), for tests of the history.</summary>
public static class StoredReleases
{
    public static readonly ReleaseWorkflowSpec Spec = new() { Steps = [new DeployStep(null), new SetWeightStep(50), new PauseStep(null), new PromoteStep()] };

    /// <summary>
    /// A release of <paramref name="service"/> started at <paramref name="startedAt"/>; ended in <paramref name="phase"/> at
    /// <paramref name="endedAt"/> when that is final. <paramref name="size"/> pads its event log to about that many bytes.
    /// </summary>
    public static ReleaseState Release(string id, string service, DateTimeOffset startedAt, DateTimeOffset endedAt, ReleasePhase phase = ReleasePhase.Succeeded, int size = 0)
    {
        var events = new List<ReleaseEvent> { new(startedAt, 0, "started", "test", $"{service} v1 -> v2 with w") };
        for (var padded = 0; padded < size; padded += 300)
        {
            events.Add(new ReleaseEvent(startedAt, 1, "setWeight done", "controller", new string('x', 200)));
        }

        var ended = phase is not (ReleasePhase.Progressing or ReleasePhase.Paused);
        if (ended)
        {
            events.Add(new ReleaseEvent(endedAt, Spec.Steps.Count, phase.ToString().ToLowerInvariant(), "controller", "ended"));
        }

        return new ReleaseState
        {
            Id = id, Service = service, Version = "v2", StableVersion = "v1", Workflow = "w", Spec = Spec, Phase = phase,
            Step = phase == ReleasePhase.Succeeded ? Spec.Steps.Count : 2, PausedBecause = phase == ReleasePhase.Paused ? "pause step: resume to continue" : null,
            StartedAt = startedAt, LastProgressAt = ended ? endedAt : startedAt, Events = events, StartedBy = "test",
        };
    }

    /// <summary>Writes each release through the store: created active, then, if it has ended, saved as it is; services in parallel.</summary>
    public static Task WriteAsync(ReleaseStore store, IEnumerable<ReleaseState> releases) =>
        Parallel.ForEachAsync(releases.GroupBy(r => r.Service), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (service, cancellationToken) =>
        {
            foreach (var release in service)
            {
                await WriteAsync(store, release, cancellationToken);
            }
        });

    public static async Task WriteAsync(ReleaseStore store, ReleaseState release, CancellationToken cancellationToken)
    {
        var created = release with { Phase = ReleasePhase.Progressing, Events = release.Events.Take(1).ToList(), Analyses = [] };
        if (await store.CreateAsync(created, null, cancellationToken) != ReleaseWriteOutcome.Written)
        {
            throw new LightMeshException($"release {release.Id} could not be created: {release.Service} has an active release");
        }

        var (_, revision) = await store.GetAsync(release.Id, cancellationToken);
        if (await store.SaveAsync(release, revision, null, cancellationToken) != ReleaseWriteOutcome.Written)
        {
            throw new LightMeshException($"release {release.Id} could not be saved");
        }
    }

    /// <summary>Writes releases as controllers did before the release index: <c>releases/{id}</c> only, measurements inline, fifty to a transaction.</summary>
    public static async Task WriteUnindexedAsync(EtcdConnection etcd, IEnumerable<ReleaseState> releases)
    {
        foreach (var batch in releases.Chunk(50))
        {
            var txn = new GuardedTxn();
            foreach (var release in batch)
            {
                txn.Put(etcd.Keys.Release(release.Id), JsonSerializer.Serialize(release, ReleaseJson.Options));
            }

            await txn.CommitAsync(etcd, default);
        }
    }
}
