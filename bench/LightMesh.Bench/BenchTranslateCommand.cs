using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using LightMesh.Cli.Commands;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;
using LightMesh.Xds.Translation;
using Spectre.Console;
using Spectre.Console.Cli;
using static LightMesh.Bench.BenchRows;

namespace LightMesh.Bench;

/// <summary>
/// <c>lightmesh-bench translate</c>: what the control plane's translation costs at each push, on its own, in this
/// process and on one thread. N services, each with a DestinationRule, a VirtualService splitting its traffic between
/// two subsets and an instance of each version, written as users write them; then K pushes, each after one service's
/// VirtualService changed weights (a release's step), timed and with the bytes each allocated. No etcd and no proxies:
/// the figure is the CPU a push costs the controller before anything is sent. The same changes are then timed on the
/// controller's index of the documents, built anew and following the last one's.
/// </summary>
public sealed class BenchTranslateCommand : Command<BenchTranslateCommand.Settings>
{
    public sealed class Settings : OutputSettings
    {
        [CommandOption("--services <N>")]
        [Description("Services in the mesh. Default: 1000")]
        public int Services { get; init; } = 1000;

        [CommandOption("--changes <K>")]
        [Description("Pushes timed, each after one service's routes changed. Default: 1000")]
        public int Changes { get; init; } = 1000;

        [CommandOption("--warm-up <W>")]
        [Description("Pushes made first and not timed, for the JIT's second tier. Default: 500")]
        public int WarmUp { get; init; } = 500;

        public override ValidationResult Validate()
        {
            var errors = new List<string>();
            if (Services is < 1 or > 20000)
            {
                errors.Add($"--services: {Services} must be 1..20000");
            }

            if (Changes is < 1 or > 100000)
            {
                errors.Add($"--changes: {Changes} must be 1..100000");
            }

            if (WarmUp is < 0 or > 100000)
            {
                errors.Add($"--warm-up: {WarmUp} must be 0..100000");
            }

            return errors.Count > 0 ? ValidationResult.Error(string.Join("; ", errors)) : base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var names = Enumerable.Range(0, settings.Services).Select(i => $"svc-{i:D5}").ToList();
        var services = names.Select(n => Parse<MeshService>(ServiceYaml(n))).ToList();
        var rules = names.Select(n => Parse<DestinationRule>(RuleYaml(n))).ToList();
        var routes = names.Select(n => Parse<VirtualService>(RoutesYaml(n, 0))).ToList();
        var instances = names.SelectMany((n, i) => new[] { Instance(n, "v1", 10000 + i), Instance(n, "v2", 40000 + i) }).ToList();

        // The changes, parsed before the clock starts: the etcd source hands the translation a new object for the one
        // document that changed and the very same objects for the others.
        var pushes = settings.WarmUp + settings.Changes;
        var changed = Enumerable.Range(0, pushes).Select(i => (Index: i * 7 % names.Count, Routes: Parse<VirtualService>(RoutesYaml(names[i * 7 % names.Count], 1 + (i % 99))))).ToList();

        var snapshot = MeshTranslator.Translate(new MeshSnapshot(services, routes, rules, instances, [], 1), XdsSnapshot.Empty);
        var before = snapshot;
        var milliseconds = new List<double>(settings.Changes);
        long allocated = 0;
        var collections = 0;
        for (var i = 0; i < pushes; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            routes = [.. routes];
            routes[changed[i].Index] = changed[i].Routes;
            var mesh = new MeshSnapshot(services, routes, rules, instances, [], i + 2);
            var timed = i >= settings.WarmUp;
            var gen0 = GC.CollectionCount(0);
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            before = snapshot;
            snapshot = MeshTranslator.Translate(mesh, snapshot);
            if (timed)
            {
                milliseconds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                allocated += GC.GetAllocatedBytesForCurrentThread() - bytes;
                collections += GC.CollectionCount(0) - gen0;
            }
        }

        if (snapshot.Problems.Count > 0 || snapshot.Routes.Count == 0)
        {
            Cli.Output.Printer.Error($"bench: the translation held routes back or built none: {string.Join("; ", snapshot.Problems)}");
            return 1;
        }

        var index = IndexFigures(services, rules, routes, changed, settings.WarmUp);
        var summary = LatencySummary.Of(milliseconds);
        Print(
        [
            ("services", Int(settings.Services)),
            ("pushes timed (after the warm-up's)", $"{Int(settings.Changes)} (after {Int(settings.WarmUp)})"),
            ("resources (clusters, endpoints, listeners, routes)", $"{Int(snapshot.Clusters.Count)}, {Int(snapshot.Endpoints.Count)}, {Int(snapshot.ApiListeners.Count)}, {Int(snapshot.Routes.Count)}"),
            ("route configurations' size (KiB)", Ms(snapshot.Routes.Values.Sum(r => r.Packed.Value.Length) / 1024.0)),
            ("first translation (ms)", Ms(FirstTranslation(services, routes, rules, instances))),
            ("push p50 / p95 / p99 / max (ms)", $"{Ms(summary.P50)} / {Ms(summary.P95)} / {Ms(summary.P99)} / {Ms(summary.Max)}"),
            ("push mean (ms)", Ms(milliseconds.Average())),
            ("allocated per push (KiB)", Ms(allocated / 1024.0 / settings.Changes)),
            ("gen0 collections during the timed pushes", Int(collections)),
            ("services translated again by the last push", Int(snapshot.Translations.Count(t => !ReferenceEquals(t.Value, before.Translations.GetValueOrDefault(t.Key))))),
            ("document index after a change, built anew p50 / p99 (us)", $"{Ms(index.Anew.P50 * 1000)} / {Ms(index.Anew.P99 * 1000)}"),
            ("document index after a change, following the last one p50 / p99 (us)", $"{Ms(index.Following.P50 * 1000)} / {Ms(index.Following.P99 * 1000)}"),
            ("allocated per document index: built anew / following (KiB)", $"{Ms(index.AnewKiB)} / {Ms(index.FollowingKiB)}"),
            ("load average (1 min) at the end", File.ReadAllText("/proc/loadavg").Split(' ')[0]),
        ], settings.Output);
        return 0;
    }

    /// <summary>
    /// What the same changes cost the controller's index of the documents (a release's write is validated on it, and
    /// each write meets a new set): built anew over every document, and following the last set's index
    /// (<see cref="DocumentIndex.Following"/>), as the controller's copy of etcd does. Timed after the translations, so
    /// neither's garbage is collected in the other's figures.
    /// </summary>
    private static (LatencySummary Anew, LatencySummary Following, double AnewKiB, double FollowingKiB) IndexFigures(
        List<MeshService> services, List<DestinationRule> rules, List<VirtualService> routes, List<(int Index, VirtualService Routes)> changed, int warmUp)
    {
        List<Document> documents = [.. services, .. rules, .. routes];
        var routesAt = services.Count + rules.Count;
        var index = new DocumentIndex(documents);
        var (anew, following) = (new List<double>(), new List<double>());
        var (anewBytes, followingBytes) = (0L, 0L);
        for (var i = 0; i < changed.Count; i++)
        {
            documents = [.. documents];
            documents[routesAt + changed[i].Index] = changed[i].Routes;
            var (_, anewTook, anewAllocated) = Timed(() => new DocumentIndex(documents));
            (index, var followingTook, var followingAllocated) = Timed(() => index.Following(documents));
            if (i >= warmUp)
            {
                anew.Add(anewTook);
                following.Add(followingTook);
                anewBytes += anewAllocated;
                followingBytes += followingAllocated;
            }
        }

        var timed = changed.Count - warmUp;
        return (LatencySummary.Of(anew), LatencySummary.Of(following), anewBytes / 1024.0 / timed, followingBytes / 1024.0 / timed);

        static (DocumentIndex Index, double Milliseconds, long Allocated) Timed(Func<DocumentIndex> build)
        {
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            var built = build();
            return (built, Stopwatch.GetElapsedTime(started).TotalMilliseconds, GC.GetAllocatedBytesForCurrentThread() - bytes);
        }
    }

    /// <summary>A translation with nothing to reuse, as at a controller's start: the cost reuse saves.</summary>
    private static double FirstTranslation(List<MeshService> services, List<VirtualService> routes, List<DestinationRule> rules, List<Instance> instances)
    {
        var started = Stopwatch.GetTimestamp();
        MeshTranslator.Translate(new MeshSnapshot(services, routes, rules, instances, [], 1), XdsSnapshot.Empty);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static T Parse<T>(string yaml)
        where T : Document
    {
        var result = DocumentParser.Parse(yaml, "bench.yaml");
        return result.Errors.Count == 0 && result.Documents is [{ Document: T document }]
            ? document
            : throw new InvalidOperationException($"the benchmark's own document does not parse: {string.Join("; ", result.Errors)}");
    }

    private static Instance Instance(string service, string version, int port) => new()
    {
        Service = service, Id = $"{service}-{version}", Version = version, Address = "127.0.0.1", Port = port,
        Labels = new Dictionary<string, string> { ["version"] = version },
    };

    private static string ServiceYaml(string name) => $$"""
        apiVersion: lightmesh.io/v1
        kind: Service
        metadata: {name: {{name}}}
        spec: {protocol: http, port: 8080}
        """;

    private static string RuleYaml(string name) => $$$"""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: {{{name}}}}
        spec:
          host: {{{name}}}
          subsets:
          - {name: stable, labels: {version: v1}}
          - {name: canary, labels: {version: v2}}
        """;

    private static string RoutesYaml(string name, int canary) => $$$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: {{{name}}}}
        spec:
          hosts: [{{{name}}}]
          http:
          - name: primary
            route:
            - {destination: {host: {{{name}}}, subset: stable}, weight: {{{(100 - canary).ToString(CultureInfo.InvariantCulture)}}}}
            - {destination: {host: {{{name}}}, subset: canary}, weight: {{{canary.ToString(CultureInfo.InvariantCulture)}}}}
        """;
}
