using System.Globalization;

namespace LightMesh.Core.Analysis;

/// <summary>Which way a canary may not deviate from the baseline.</summary>
public enum JudgeDirection
{
    /// <summary>Higher is bad (errors, latency).</summary>
    Increase,

    /// <summary>Lower is bad (throughput, success rate).</summary>
    Decrease,

    Either,
}

/// <summary>What to do with NaN samples (0/0 rates): drop them, or count them as a given value.</summary>
public enum NanStrategy
{
    Remove,
    Replace,
}

/// <summary>How one metric's canary samples compare with the baseline's.</summary>
public enum JudgeClassification
{
    Pass,
    High,
    Low,
    NoData,
}

/// <summary>The verdict of a whole judgement, from its score.</summary>
public enum JudgeVerdict
{
    Pass,
    Marginal,
    Fail,
}

/// <summary>How to judge one metric: the test's confidence, the effect that matters, and what a failure means.</summary>
public sealed record JudgeMetric
{
    public const double DefaultConfidence = 0.98;
    public const int DefaultMinimumPoints = 3;

    public required string Name { get; init; }
    public JudgeDirection Direction { get; init; } = JudgeDirection.Increase;

    /// <summary>Confidence for the difference to count as real (0.98: p below 0.02).</summary>
    public double Confidence { get; init; } = DefaultConfidence;

    /// <summary>The relative change of the median that is tolerated even when real (0.25 = 25%).</summary>
    public double EffectSize { get; init; } = 0.25;

    public NanStrategy Nan { get; init; } = NanStrategy.Remove;
    public double NanReplacement { get; init; }

    /// <summary>A critical metric that fails fails the whole judgement, whatever the score.</summary>
    public bool Critical { get; init; }

    public double Weight { get; init; } = 1;

    /// <summary>
    /// Fewer points on either side (after NaN handling) means NoData. The confidence sets a floor of its own
    /// (<see cref="JudgePower.PointsNeeded"/>); the larger of the two is what counts.
    /// </summary>
    public int MinimumPoints { get; init; } = DefaultMinimumPoints;
}

/// <summary>One metric's judgement.</summary>
public sealed record JudgeMetricResult(string Name, JudgeClassification Classification, bool Passed, double PValue, double Effect, int CanaryPoints, int BaselinePoints, string Reason);

/// <summary>The judgement of a canary: a 0-100 score, the verdict, and each metric's result.</summary>
public sealed record JudgeResult(double Score, JudgeVerdict Verdict, IReadOnlyList<JudgeMetricResult> Metrics, string Reason);

/// <summary>
/// Compares canary with baseline samples, metric by metric, with the Mann-Whitney U test and an effect-size
/// tolerance, then scores the metrics (Kayenta's semantics). Pure: samples in, judgement out.
/// </summary>
public static class Judge
{
    public static JudgeMetricResult Classify(JudgeMetric metric, IReadOnlyList<double> canary, IReadOnlyList<double> baseline)
    {
        var c = Clean(metric, canary);
        var b = Clean(metric, baseline);

        // With fewer points than the confidence needs no canary, however bad, could test as significant, and an
        // insignificant difference is a Pass: such a judgement would pass anything, so it has no data instead.
        var needed = JudgePower.EffectiveMinimumPoints(metric);
        if (c.Count < needed || b.Count < needed)
        {
            var why = needed > metric.MinimumPoints ? string.Create(CultureInfo.InvariantCulture, $" (fewer cannot reach confidence {metric.Confidence})") : "";
            return new JudgeMetricResult(metric.Name, JudgeClassification.NoData, false, double.NaN, double.NaN, c.Count, b.Count,
                $"{c.Count} canary and {b.Count} baseline points; at least {needed} each are needed{why}");
        }

        var test = MannWhitney.Test(c, b);
        var (canaryMedian, baselineMedian) = (Median(c), Median(b));
        var effect = baselineMedian != 0 ? (canaryMedian - baselineMedian) / Math.Abs(baselineMedian)
            : canaryMedian == 0 ? 0 : Math.Sign(canaryMedian) * double.PositiveInfinity;
        var significant = test.PValue < 1 - metric.Confidence;
        var classification = !significant ? JudgeClassification.Pass
            : effect > metric.EffectSize ? JudgeClassification.High
            : effect < -metric.EffectSize ? JudgeClassification.Low
            : JudgeClassification.Pass;
        var passed = classification switch
        {
            JudgeClassification.High => metric.Direction == JudgeDirection.Decrease,
            JudgeClassification.Low => metric.Direction == JudgeDirection.Increase,
            _ => true,
        };
        var reason = $"canary median {canaryMedian:G4} vs baseline {baselineMedian:G4} ({effect:+0.0%;-0.0%;0%}), p={test.PValue:G3}"
            + (significant ? "" : $", not significant at {metric.Confidence:P0}");
        return new JudgeMetricResult(metric.Name, classification, passed, test.PValue, effect, c.Count, b.Count, reason);
    }

    /// <summary>Scores judged metrics: the weighted share that passed, ignoring NoData (0 when half or more have none).</summary>
    public static JudgeResult Score(IReadOnlyList<(JudgeMetric Metric, JudgeMetricResult Result)> judged, double passThreshold = 95, double marginalThreshold = 75)
    {
        var results = judged.Select(j => j.Result).ToList();
        var noData = judged.Count(j => j.Result.Classification == JudgeClassification.NoData);
        if (judged.Count == 0 || noData * 2 >= judged.Count)
        {
            return new JudgeResult(0, JudgeVerdict.Fail, results, $"{noData} of {judged.Count} metrics had no data");
        }

        if (judged.FirstOrDefault(j => j.Metric.Critical && j.Result.Classification != JudgeClassification.NoData && !j.Result.Passed) is { Metric: not null } critical)
        {
            return new JudgeResult(0, JudgeVerdict.Fail, results, $"critical metric {critical.Metric.Name} failed: {critical.Result.Reason}");
        }

        var counted = judged.Where(j => j.Result.Classification != JudgeClassification.NoData).ToList();
        var score = 100 * counted.Where(j => j.Result.Passed).Sum(j => j.Metric.Weight) / counted.Sum(j => j.Metric.Weight);
        var verdict = score >= passThreshold ? JudgeVerdict.Pass : score >= marginalThreshold ? JudgeVerdict.Marginal : JudgeVerdict.Fail;
        return new JudgeResult(score, verdict, results, $"{counted.Count(j => j.Result.Passed)} of {counted.Count} metrics passed");
    }

    private static List<double> Clean(JudgeMetric metric, IReadOnlyList<double> samples) =>
        metric.Nan == NanStrategy.Remove
            ? samples.Where(s => !double.IsNaN(s)).ToList()
            : samples.Select(s => double.IsNaN(s) ? metric.NanReplacement : s).ToList();

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
