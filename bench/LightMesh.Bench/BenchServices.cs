using System.Globalization;
using LightMesh.Etcd.Documents;

namespace LightMesh.Bench;

/// <summary>The services a benchmark releases: each a Service without deploy and a DestinationRule whose stable subset is v1 (and, if asked, a VirtualService to it).</summary>
internal static class BenchServices
{
    /// <summary>
    /// Writes <paramref name="batch"/> (the services from index <paramref name="start"/> on, port 20000 + index) in one
    /// transaction, with <paramref name="workflowYaml"/> when it is the first batch; <c>grpc</c> services for a benchmark
    /// whose simulated proxyless clients use them (they are given listeners only for those).
    /// </summary>
    /// <param name="routes">Also a VirtualService sending everything to the stable subset, as a service has after its first release.</param>
    public static async Task ApplyAsync(DocumentStore store, IReadOnlyList<string> batch, int start, string workflowYaml, CancellationToken cancellationToken, string protocol = "http", bool routes = false)
    {
        var documents = batch.Select((name, i) => string.Create(CultureInfo.InvariantCulture, $$"""
            apiVersion: lightmesh.io/v1
            kind: Service
            metadata: {name: {{name}}}
            spec: {protocol: {{protocol}}, port: {{20000 + start + i}}}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: {{name}}}
            spec:
              host: {{name}}
              subsets:
              - name: stable
                labels: {version: v1}
            """) + (routes ? string.Create(CultureInfo.InvariantCulture, $$"""

            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: {{name}}}
            spec:
              hosts: [{{name}}]
              http:
              - route:
                - destination: {host: {{name}}, subset: stable}
            """) : "")).ToList();
        if (start == 0)
        {
            documents.Insert(0, workflowYaml);
        }

        await store.ApplyYamlAsync(string.Join("\n---\n", documents), "the benchmark's documents", cancellationToken);
    }
}
