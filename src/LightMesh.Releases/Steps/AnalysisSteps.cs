using System.Collections.Concurrent;
using System.Globalization;
using LightMesh.Analysis;
using LightMesh.Core;
using LightMesh.Core.Analysis;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Documents;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Steps;

/// <summary>
/// Carries out a release's <c>analysis</c> step: runs the named AnalysisTemplates side by side (as the metrics of one
/// analysis run), each with the release's arguments (service, port, canary and stable versions, namespace, plus the
/// step's own), and reports the combined phase.
/// </summary>
/// <remarks>
/// A measurement that fails (Prometheus unreachable, a query it refuses) is logged as a warning the first time it
/// happens in a run, naming the release, the metric and the error: a run keeps measuring until its error limit, which
/// can take minutes, and nothing else would say why until then. Every measurement also goes to the caller's
/// <c>measured</c>, with its template, so that the release's status can say so too.
/// </remarks>
public sealed class AnalysisSteps(DocumentStore documents, AnalysisRunner runner, Uri defaultPrometheus, ILogger<AnalysisSteps> logger)
{
    public const string Namespace = "default";

    public async Task<(AnalysisPhase Phase, string Reason, IReadOnlyList<AnalysisRunResult> Runs)> RunAsync(
        ReleaseState release, IReadOnlyList<string> templates, IReadOnlyDictionary<string, string> stepArgs,
        IProgress<(string Template, MetricMeasured Measured)>? measured, CancellationToken cancellationToken)
    {
        var snapshot = await documents.ReadAsync(cancellationToken);
        var service = snapshot.Find(DocumentKind.Service, release.Service)?.Document as MeshService;
        var args = new Dictionary<string, string>(stepArgs, StringComparer.Ordinal);
        foreach (var (name, value) in release.Args)
        {
            args[name] = value;
        }

        var builtIn = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["service"] = release.Service,
            ["port"] = service?.Spec.Port.ToString(CultureInfo.InvariantCulture) ?? "",
            ["canary"] = release.Version,
            ["stable"] = release.StableVersion,
            ["namespace"] = Namespace,
        };
        foreach (var (name, value) in builtIn)
        {
            args[name] = value;
        }

        var found = new List<AnalysisTemplate>();
        foreach (var name in templates)
        {
            if (snapshot.Find(DocumentKind.AnalysisTemplate, name)?.Document is not AnalysisTemplate template)
            {
                return (AnalysisPhase.Error, $"no AnalysisTemplate named \"{name}\"", []);
            }

            found.Add(template);
        }

        // Side by side, so a step with two templates takes as long as the longer one, not both one after the other.
        var runs = await Task.WhenAll(found.Select(template => runner.RunAsync(template, args, defaultPrometheus, new FirstErrors(release, template.Name, logger, measured), cancellationToken)));

        var phase = MetricRun.Overall(runs.Select(r => r.Phase));
        var reason = string.Join("; ", runs.Zip(templates, (run, name) => $"{name}: {run.Message}"));
        if (phase == AnalysisPhase.Error && runs.Where(r => r.Phase == AnalysisPhase.Error).All(r => r.Unreachable))
        {
            // Nothing was learnt of the canary: a failure of the instrument, not of the release, which tries again.
            throw new ServerUnreachableException($"Prometheus could not be reached for the analysis: {reason}");
        }

        return (phase, reason, runs);
    }

    /// <summary>Logs the first failed measurement of each metric of one template's run, when it happens, and passes every measurement on.</summary>
    private sealed class FirstErrors(ReleaseState release, string template, ILogger logger, IProgress<(string Template, MetricMeasured Measured)>? measured) : IProgress<MetricMeasured>
    {
        private readonly ConcurrentDictionary<string, bool> _logged = new(StringComparer.Ordinal);

        public void Report(MetricMeasured value)
        {
            if (value.Measurement.Phase == MeasurementPhase.Error && _logged.TryAdd(value.Metric.Name, true))
            {
                Log.AnalysisMeasurementFailed(logger, release.Id, release.Step, template, value.Metric.Name, value.Measurement.Message);
            }

            measured?.Report((template, value));
        }
    }
}
