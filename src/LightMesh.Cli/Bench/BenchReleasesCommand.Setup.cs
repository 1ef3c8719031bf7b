using System.Diagnostics;
using System.Globalization;
using LightMesh.Core;
using LightMesh.Core.Mesh;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;

namespace LightMesh.Cli.Bench;

/// <summary>The benchmark's world in etcd, and the etcd round trips it is measured against.</summary>
public sealed partial class BenchReleasesCommand
{
    private const string WarmUpService = "bench-warmup";
    private const int ServicesPerWrite = 50; // 100 documents or instances: under etcd's default 128 operations per transaction
    private const int DocumentReads = 20;

    /// <summary>
    /// Writes the workflow, and per service (N plus one to warm up with) a Service without deploy, a DestinationRule
    /// whose stable subset is v1, and a live instance of v1 and of v2 under <paramref name="lease"/>.
    /// </summary>
    private static async Task PopulateAsync(EtcdConnection etcd, int releases, long lease, CancellationToken cancellationToken)
    {
        var store = new DocumentStore(etcd);
        var services = Enumerable.Range(0, releases).Select(ServiceName).Append(WarmUpService).ToList();
        for (var start = 0; start < services.Count; start += ServicesPerWrite)
        {
            var batch = services.Skip(start).Take(ServicesPerWrite).ToList();
            await BenchServices.ApplyAsync(store, batch, start, WorkflowYaml, cancellationToken);

            var instances = new GuardedTxn();
            foreach (var (name, i) in batch.Select((name, i) => (name, start + i)))
            {
                foreach (var (version, offset) in new[] { ("v1", 0), ("v2", 1) })
                {
                    var instance = new Instance
                    {
                        Service = name, Id = $"{name}-{version}", Version = version, Address = "127.0.0.1", Port = 30000 + (2 * i) + offset,
                        Labels = new Dictionary<string, string> { ["version"] = version },
                    };
                    instances.Put(etcd.Keys.Instance(name, instance.Id), InstanceCodec.Write(instance), lease);
                }
            }

            await instances.CommitAsync(etcd, cancellationToken);
        }
    }

    /// <summary>Quick steps that need no Docker and no Prometheus; the untimed pause holds every release active at once.</summary>
    private const string WorkflowYaml = $$"""
        apiVersion: lightmesh.io/v1
        kind: ReleaseWorkflow
        metadata: {name: {{Workflow}}}
        spec:
          steps:
          - deploy: {}
          - setWeight: 10
          - setWeight: 50
          - pause: {}
          - promote: {}
        """;

    /// <summary>
    /// Times K guarded single-key transactions (compare the key's revision, put: the shape of a release's save) and a
    /// few reads of every stored document (what each route step does several times), with nothing else running.
    /// </summary>
    private static async Task<ReleaseBenchFigures> MeasureEtcdAsync(EtcdConnection etcd, Settings settings, CancellationToken cancellationToken)
    {
        const int warmUp = 10;
        var key = $"{etcd.Options.Prefix}bench/scratch";
        var round = new List<double>();
        long modRevision = 0;
        for (var i = -warmUp; i < settings.RoundTrips; i++)
        {
            var (elapsed, revision) = await GuardedPutAsync(etcd, key, modRevision, cancellationToken);
            modRevision = revision;
            if (i >= 0)
            {
                round.Add(elapsed);
            }
        }

        var store = new DocumentStore(etcd);
        var reads = new List<double>();
        for (var i = -3; i < DocumentReads; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await store.ReadAsync(cancellationToken);
            if (i >= 0)
            {
                reads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return new ReleaseBenchFigures { Releases = settings.Releases, EtcdTxnIdle = LatencySummary.Of(round), DocumentRead = LatencySummary.Of(reads) };
    }

    /// <summary>The same guarded put every 100 ms while the releases run, to see what the engine's load does to etcd.</summary>
    private static async Task<IReadOnlyList<double>> SampleEtcdAsync(EtcdConnection etcd, CancellationToken cancellationToken)
    {
        var key = $"{etcd.Options.Prefix}bench/loaded";
        var samples = new List<double>();
        long modRevision = 0;
        try
        {
            while (true)
            {
                await Task.Delay(100, cancellationToken);
                var (elapsed, revision) = await GuardedPutAsync(etcd, key, modRevision, cancellationToken);
                modRevision = revision;
                samples.Add(elapsed);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return samples;
        }
    }

    private static async Task<(double Milliseconds, long Revision)> GuardedPutAsync(EtcdConnection etcd, string key, long modRevision, CancellationToken cancellationToken)
    {
        var txn = new GuardedTxn().AsRead(key, modRevision).Put(key, modRevision.ToString(CultureInfo.InvariantCulture));
        var started = Stopwatch.GetTimestamp();
        var (succeeded, revision) = await txn.CommitAsync(etcd, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return succeeded ? (elapsed, revision) : throw new LightMeshException($"{key} changed under the benchmark");
    }
}
