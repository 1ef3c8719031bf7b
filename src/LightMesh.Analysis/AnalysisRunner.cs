using LightMesh.Core.Analysis;

namespace LightMesh.Analysis;

/// <summary>
/// Runs an AnalysisTemplate: substitutes the arguments, then measures each metric at its interval until its
/// <see cref="MetricRun"/> decides, all metrics at once. Judged metrics read canary and baseline over the same window.
/// </summary>
public sealed class AnalysisRunner(PrometheusClient prometheus, TimeProvider time)
{
    public async Task<AnalysisRunResult> RunAsync(
        AnalysisTemplate template,
        IReadOnlyDictionary<string, string> args,
        Uri defaultPrometheus,
        IProgress<MetricMeasured>? progress,
        CancellationToken cancellationToken)
    {
        var values = template.Spec.Args.Where(a => a.Value is not null).ToDictionary(a => a.Name, a => a.Value!, StringComparer.Ordinal);
        foreach (var (name, value) in args)
        {
            values[name] = value;
        }

        var prepared = new List<(AnalysisMetric Metric, PreparedMetric Prepared)>();
        var problems = new List<string>();
        foreach (var metric in template.Spec.Metrics)
        {
            var interval = (metric.Interval ?? AnalysisMetric.DefaultInterval).Value;
            var metricValues = new Dictionary<string, string>(values, StringComparer.Ordinal) { ["interval"] = PromDuration(interval) };
            if (Prepare(metric, metricValues, defaultPrometheus, out var error) is { } ready)
            {
                prepared.Add((metric, ready));
            }
            else
            {
                problems.Add($"{metric.Name}: {error}");
            }
        }

        if (problems.Count > 0)
        {
            return new AnalysisRunResult(AnalysisPhase.Error, [], null, string.Join("; ", problems));
        }

        var runs = await Task.WhenAll(prepared.Select(p => p.Metric.Judge is null
            ? RunMetricAsync(p.Metric, p.Prepared, progress, cancellationToken)
            : JudgeMetricAsync(p.Metric, p.Prepared, progress, cancellationToken)));
        var results = runs.Select(r => r.Result).ToList();
        var judged = runs.Where(r => r.Judged is not null).Select(r => r.Judged!.Value).ToList();
        var scoring = template.Spec.Scoring;
        var judgement = judged.Count > 0
            ? Judge.Score(judged, scoring?.Pass ?? ScoreThresholds.DefaultPass, scoring?.Marginal ?? ScoreThresholds.DefaultMarginal)
            : null;
        var phase = MetricRun.Overall(results.Select(r => r.Phase));
        if (judgement is { Verdict: JudgeVerdict.Marginal } && phase == AnalysisPhase.Successful)
        {
            phase = AnalysisPhase.Inconclusive;
        }

        var message = string.Join("; ", results.Where(r => r.Phase != AnalysisPhase.Successful).Select(r => $"{r.Name}: {r.Message}"));
        return new AnalysisRunResult(phase, results, judgement, message.Length > 0 ? message : "every metric succeeded");
    }

    private sealed record PreparedMetric(Uri Prometheus, string Query, string? BaselineQuery, BoundCondition? Success, BoundCondition? Failure, TimeSpan Interval);

    /// <summary>
    /// Puts the arguments into the query and address as text (each value one a query can take) and binds them into the
    /// conditions as typed values; the conditions are parsed from the template's text, never from text with values in it.
    /// </summary>
    private static PreparedMetric? Prepare(AnalysisMetric metric, Dictionary<string, string> values, Uri defaultPrometheus, out string? error)
    {
        var problems = new List<string>();
        var success = BindCondition(metric.SuccessCondition, "successCondition");
        var failure = BindCondition(metric.FailureCondition, "failureCondition");
        var texts = new[] { metric.Query, metric.Address ?? "", metric.Judge?.BaselineQuery ?? "" }.Select(t => AnalysisArguments.Substitute(t, values)).ToList();
        var missing = texts.SelectMany(t => t.Missing)
            .Concat(new[] { success, failure }.SelectMany(c => c.Condition?.Arguments.Select(a => a.Name).Where(n => !values.ContainsKey(n)) ?? []))
            .Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            error = $"no value for argument{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}";
            return null;
        }

        problems.AddRange(texts.SelectMany(t => t.Unsafe).Distinct(StringComparer.Ordinal)
            .Select(n => $"argument \"{n}\": {AnalysisArguments.Show(values[n])} cannot go into the query or address: a query argument holds {AnalysisArguments.QueryValueRule}"));
        var address = defaultPrometheus;
        if (metric.Address is not null && texts[1].Text is { } filled)
        {
            if (Uri.TryCreate(filled, UriKind.Absolute, out var given) && given.Scheme is "http" or "https")
            {
                address = given;
            }
            else
            {
                problems.Add($"address {AnalysisArguments.Show(filled)} is not an http:// or https:// URL");
            }
        }

        if (problems.Count > 0)
        {
            error = string.Join("; ", problems);
            return null;
        }

        error = null;
        return new PreparedMetric(address, texts[0].Text!, metric.Judge is null ? null : texts[2].Text, success.Bound, failure.Bound, (metric.Interval ?? AnalysisMetric.DefaultInterval).Value);

        (Condition? Condition, BoundCondition? Bound) BindCondition(string? text, string field)
        {
            if (text is null)
            {
                return (null, null);
            }

            if (Condition.TryParse(text, out var parseError) is not { } condition)
            {
                problems.Add($"{field} does not parse: {parseError}");
                return (null, null);
            }

            var bound = condition.Bind(values, out var refused);
            problems.AddRange(refused.Where(p => values.ContainsKey(p.Name)).Select(p => $"{field}: {p}"));
            return (condition, bound);
        }
    }

    private async Task<(MetricResult Result, (JudgeMetric, JudgeMetricResult)? Judged)> RunMetricAsync(
        AnalysisMetric metric, PreparedMetric prepared, IProgress<MetricMeasured>? progress, CancellationToken cancellationToken)
    {
        var run = new MetricRun(metric, prepared.Success, prepared.Failure);
        if (metric.InitialDelay is { } delay && delay.Value > TimeSpan.Zero)
        {
            await Task.Delay(delay.Value, time, cancellationToken);
        }

        while (run.Phase == AnalysisPhase.Running)
        {
            var at = time.GetUtcNow();
            var measurement = run.Add(await prometheus.QueryAsync(prepared.Prometheus, prepared.Query, at, cancellationToken), at);
            progress?.Report(new MetricMeasured(metric, measurement, run.Phase));
            if (run.Phase == AnalysisPhase.Running)
            {
                await Task.Delay(prepared.Interval, time, cancellationToken);
            }
        }

        return (new MetricResult(metric.Name, run.Phase, run.Message, run.Measurements, run.Unreachable), null);
    }

    private async Task<(MetricResult Result, (JudgeMetric, JudgeMetricResult)? Judged)> JudgeMetricAsync(
        AnalysisMetric metric, PreparedMetric prepared, IProgress<MetricMeasured>? progress, CancellationToken cancellationToken)
    {
        var spec = metric.Judge!;
        var judge = new JudgeMetric
        {
            Name = metric.Name,
            Direction = spec.Direction ?? JudgeDirection.Increase,
            Confidence = spec.Confidence ?? JudgeMetric.DefaultConfidence,
            EffectSize = spec.EffectSize ?? 0.25,
            Nan = spec.NanStrategy ?? NanStrategy.Remove,
            NanReplacement = spec.NanReplacement ?? 0,
            Critical = spec.Critical ?? false,
            Weight = spec.Weight ?? 1,
            MinimumPoints = spec.MinimumPoints ?? JudgeMetric.DefaultMinimumPoints,
        };
        var end = time.GetUtcNow();
        var start = end - (spec.Window ?? JudgeSpec.DefaultWindow).Value;
        var step = (spec.Step ?? JudgeSpec.DefaultStep).Value;
        var canary = await prometheus.QueryRangeAsync(prepared.Prometheus, prepared.Query, start, end, step, cancellationToken);
        var baseline = await prometheus.QueryRangeAsync(prepared.Prometheus, prepared.BaselineQuery!, start, end, step, cancellationToken);
        if ((canary.Error ?? baseline.Error) is { } error)
        {
            var failed = new Measurement(end, [], MeasurementPhase.Error, error);
            // A judgement that could not reach Prometheus judged nothing: the release tries it again.
            var unreachable = (canary.Error is null || canary.Unreachable) && (baseline.Error is null || baseline.Unreachable);
            var errorPhase = canary.BadQuery || baseline.BadQuery || unreachable ? AnalysisPhase.Error : AnalysisPhase.Failed;
            progress?.Report(new MetricMeasured(metric, failed, errorPhase));
            return (new MetricResult(metric.Name, errorPhase, error, [failed], unreachable), null);
        }

        var result = Judge.Classify(judge, canary.Values, baseline.Values);
        var phase = result.Classification == JudgeClassification.NoData
            ? metric.NoData switch { NoDataPolicy.Pass => MeasurementPhase.Successful, NoDataPolicy.Fail => MeasurementPhase.Failed, _ => MeasurementPhase.Inconclusive }
            : result.Passed ? MeasurementPhase.Successful : MeasurementPhase.Failed;
        var measurement = new Measurement(end, [result.Effect], phase, $"{result.Classification}: {result.Reason}");
        var metricPhase = metric.DryRun == true ? AnalysisPhase.Successful : phase switch
        {
            MeasurementPhase.Successful => AnalysisPhase.Successful,
            MeasurementPhase.Failed => AnalysisPhase.Failed,
            _ => AnalysisPhase.Inconclusive,
        };
        progress?.Report(new MetricMeasured(metric, measurement, metricPhase));
        return (new MetricResult(metric.Name, metricPhase, measurement.Message, [measurement]), (judge, result));
    }

    /// <summary>A PromQL duration for a range selector: whole seconds, or milliseconds.</summary>
    private static string PromDuration(TimeSpan span) => span.TotalMilliseconds % 1000 == 0
        ? $"{(long)span.TotalSeconds}s"
        : $"{(long)span.TotalMilliseconds}ms";
}
