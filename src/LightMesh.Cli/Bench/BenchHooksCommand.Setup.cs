using LightMesh.Etcd;
using LightMesh.Etcd.Documents;

namespace LightMesh.Cli.Bench;

/// <summary>The benchmark's world in etcd: the services its deliveries release, and a quick workflow.</summary>
public sealed partial class BenchHooksCommand
{
    private const int ServicesPerWrite = 50; // 100 documents: under etcd's default 128 operations per transaction

    /// <summary>
    /// Steps that need no Docker and no Prometheus, and end at once with no proxy connected: <c>deploy</c> prepares the
    /// routes and finds the new version's instance (registered from the start, as if CI had deployed it), then
    /// <c>promote</c> gives it all traffic, makes it the stable version, and sends everything to stable.
    /// </summary>
    private const string WorkflowYaml = $$"""
        apiVersion: lightmesh.io/v1
        kind: ReleaseWorkflow
        metadata: {name: {{Workflow}}}
        spec:
          steps:
          - deploy: {}
          - promote: {}
        """;

    /// <summary>
    /// Writes the workflow and, per service (N to measure, plus the warm-up's), a Service without deploy, a
    /// DestinationRule whose stable subset is v1, and a live instance of v1, v2 and v3. Returns the N services to measure with.
    /// </summary>
    private static async Task<IReadOnlyList<string>> PopulateAsync(EtcdConnection etcd, BenchInstances instances, int count, CancellationToken cancellationToken)
    {
        var store = new DocumentStore(etcd);
        var measured = Enumerable.Range(0, count).Select(ServiceName).ToList();
        var all = measured.Concat(Enumerable.Range(0, WarmUpDeliveries).Select(WarmUpService)).ToList();
        for (var start = 0; start < all.Count; start += ServicesPerWrite)
        {
            var batch = all.Skip(start).Take(ServicesPerWrite).ToList();
            foreach (var version in ServiceRotation.Versions)
            {
                await instances.RegisterAsync(batch, version, cancellationToken);
            }

            await BenchServices.ApplyAsync(store, batch, start, WorkflowYaml, cancellationToken);
        }

        return measured;
    }
}
