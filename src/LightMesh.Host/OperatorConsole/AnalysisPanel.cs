using LightMesh.Core.Analysis;
using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Documents;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// One analysis metric of a release as its page shows it: which step ran it, the query as it was sent, the outcome and
/// why in words, and its measurements as a chart with the conditions drawn (<see cref="MetricChart"/>).
/// </summary>
public sealed record AnalysisPanel(string Title, string Query, AnalysisPhase Outcome, string Reason, string Conditions, string Chart)
{
    /// <summary>
    /// The panels of <paramref name="release"/>'s analyses, read with their measurements. Queries and conditions come from
    /// the templates as <paramref name="documents"/> hold them now, with the release's arguments put in as its run did.
    /// </summary>
    public static IReadOnlyList<AnalysisPanel> Of(ReleaseState release, DocumentSnapshot documents) =>
        [.. release.Analyses.Select(record => Of(release, record, documents))];

    private static AnalysisPanel Of(ReleaseState release, AnalysisRecord record, DocumentSnapshot documents)
    {
        var title = $"{record.Template}/{record.Metric} ({(record.Background ? "background" : $"step {record.Step + 1}")}): {record.Measured} measured, {record.Phase}";
        var template = documents.Find(DocumentKind.AnalysisTemplate, record.Template)?.Document as AnalysisTemplate;
        var metric = template?.Spec.Metrics.FirstOrDefault(m => m.Name == record.Metric);
        if (template is null || metric is null)
        {
            return new AnalysisPanel(title, $"(the template {record.Template} no longer holds metric {record.Metric})", record.Phase, record.Message, "",
                MetricChart.Svg(record.Measurements, null, null, title));
        }

        var values = ValuesOf(release, record, template);
        var success = Bind(metric.SuccessCondition, values);
        var failure = Bind(metric.FailureCondition, values);
        var conditions = string.Join("; ", new[] { ("success", metric.SuccessCondition), ("failure", metric.FailureCondition) }.Where(c => c.Item2 is not null).Select(c => $"{c.Item1}: {c.Item2}"));
        return new AnalysisPanel(
            title, AnalysisArguments.Substitute(metric.Query, values).Text ?? metric.Query, record.Phase, record.Message, conditions,
            MetricChart.Svg(record.Measurements, success is null ? null : success.Evaluate, failure is null ? null : failure.Evaluate, title));
    }

    /// <summary>The arguments the run had: the template's defaults, the step's (or the background analysis's), the release's, and the built-in ones.</summary>
    private static Dictionary<string, string> ValuesOf(ReleaseState release, AnalysisRecord record, AnalysisTemplate template)
    {
        var values = template.Spec.Args.Where(a => a.Value is not null).ToDictionary(a => a.Name, a => a.Value!, StringComparer.Ordinal);
        var stepArgs = record.Background
            ? release.Spec.BackgroundAnalysis?.Args
            : record.Step < release.Spec.Steps.Count && release.Spec.Steps[record.Step] is AnalysisStep step ? step.Args : null;
        foreach (var (name, value) in (stepArgs ?? new Dictionary<string, string>()).Concat(release.Args))
        {
            values[name] = value;
        }

        values["service"] = release.Service;
        values["canary"] = release.Version;
        values["stable"] = release.StableVersion;
        return values;
    }

    private static BoundCondition? Bind(string? text, IReadOnlyDictionary<string, string> values) =>
        text is not null && Condition.TryParse(text, out _) is { } condition ? condition.Bind(values, out _) : null;

    /// <summary>The chart as markup for the page; its text is encoded where it is built.</summary>
    public Microsoft.AspNetCore.Components.MarkupString ChartMarkup => new(Chart);
}
