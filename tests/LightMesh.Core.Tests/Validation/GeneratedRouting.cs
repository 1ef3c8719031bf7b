using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Testing;

namespace LightMesh.Core.Tests.Validation;

/// <summary>Generated stored sets of Services, VirtualServices and DestinationRules, some broken, for the validation's and the index's properties.</summary>
internal static class GeneratedRouting
{
    /// <summary>The hosts the generated documents name: four Services and one that is none.</summary>
    public static readonly string[] Hosts = ["s0", "s1", "s2", "s3", "ghost"];

    private static readonly string?[] Subsets = [null, "v1", "v2", "canary", "v9"];

    /// <summary>The Services s0 to s3 and up to six VirtualServices and DestinationRules, names unique per kind as stored keys are.</summary>
    public static List<Document> StoredSet(Random random)
    {
        var documents = new List<Document>();
        foreach (var host in Hosts.Take(4))
        {
            documents.Add(Parsed(TestMeshes.Service(host, port: host == "s3" ? 9090 : 8080)));
        }

        for (var i = random.Next(0, 7); i > 0; i--)
        {
            documents.Add(random.Next(2) == 0 ? Routes(random) : Rule(random));
        }

        // Stored keys are unique by kind and name: the first of a name stays.
        return documents.DistinctBy(d => (d.Kind, d.Name)).ToList();
    }

    /// <summary>
    /// A VirtualService of one or two hosts and one or two routes, some with a mirror; named <paramref name="name"/>, or
    /// after its first host (one in six with <c>-extra</c>, so another rule names that host too).
    /// </summary>
    public static Document Routes(Random random, string? name = null)
    {
        var hosts = Enumerable.Range(0, random.Next(1, 3)).Select(_ => Pick(random, Hosts)).Distinct().ToList();
        var routes = Enumerable.Range(0, random.Next(1, 3)).Select(r =>
        {
            var mirror = random.Next(4) == 0 ? $", mirror: {{{Destination(random)}}}" : "";
            return $"  - {{name: r{r}, route: [{{destination: {{{Destination(random)}}}}}]{mirror}}}";
        });
        name ??= hosts[0] + (random.Next(6) == 0 ? "-extra" : "");
        return Parsed($$"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: {{name}}}
            spec:
              hosts: [{{string.Join(", ", hosts)}}]
              http:
            {{string.Join("\n", routes)}}
            """);
    }

    /// <summary>A DestinationRule of a host with some of v1, v2 and canary; named <paramref name="name"/>, or after its host (one in six a second rule of it).</summary>
    public static Document Rule(Random random, string? name = null)
    {
        var host = Pick(random, Hosts);
        var subsets = new[] { "v1", "v2", "canary" }.Where(_ => random.Next(3) > 0).Select(s => (TestMeshes.Subset)s).ToList();
        return Parsed(TestMeshes.Rule(host, subsets.Count == 0 ? ["v1"] : subsets, name: name ?? (random.Next(6) == 0 ? $"{host}-extra" : host)));
    }

    public static T Pick<T>(Random random, IReadOnlyList<T> choices) => choices[random.Next(choices.Count)];

    public static Document Parsed(string yaml)
    {
        var result = DocumentParser.Parse(yaml, "test.yaml");
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors) + "\n" + yaml);
        return result.Documents[0].Document;
    }

    private static string Destination(Random random)
    {
        var subset = Pick(random, Subsets);
        var port = random.Next(5) switch { 0 => ", port: {number: 8080}", 1 => ", port: {number: 9090}", _ => "" };
        return $"host: {Pick(random, Hosts)}{(subset is null ? "" : $", subset: {subset}")}{port}";
    }
}
