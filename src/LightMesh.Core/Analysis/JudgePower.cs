namespace LightMesh.Core.Analysis;

/// <summary>How many points a judgement needs before its test can call any difference significant.</summary>
/// <remarks>
/// Below that many points per side even a canary far worse than its baseline gets a p-value above 1 - confidence,
/// so a judgement there would pass whatever the canary does: it is NoData instead, and validation refuses a window
/// that cannot give that many.
/// </remarks>
public static class JudgePower
{
    /// <summary>
    /// The fewest points per side at which <see cref="MannWhitney"/> can reach p below 1 - <paramref name="confidence"/>,
    /// as the judge compares it (<see cref="Judge.Classify"/>): 2 at 0.5, 3 at 0.9, 4 at 0.95, 5 at 0.98, 6 at 0.99,
    /// 11 at 0.9999.
    /// </summary>
    /// <remarks>
    /// Counted on equal sides, which is what one window at one step gives both. The smallest p-value falls as either
    /// side grows, so two sides each at least this long can always reach significance.
    /// </remarks>
    public static int PointsNeeded(double confidence)
    {
        // Confidence 1 (or more) could never be reached, and the search below would not end.
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "must be between 0 and 1 exclusive");
        }

        // The same expression Classify compares with, so the two agree to the last bit. It ends: below 1 the
        // threshold is at least 1.1e-16, and the approximation's p rounds to 0 at 47 points per side.
        var alpha = 1 - confidence;
        var points = 1;
        while (!(MannWhitney.MinimumPValue(points, points) < alpha))
        {
            points++;
        }

        return points;
    }

    /// <summary>The points per side a metric's judgement needs: its <c>minimumPoints</c> or its confidence's need, whichever is more.</summary>
    public static int EffectiveMinimumPoints(JudgeMetric metric) => Math.Max(metric.MinimumPoints, PointsNeeded(metric.Confidence));

    /// <summary>
    /// The most points a Prometheus range query over <paramref name="window"/> at <paramref name="step"/> returns per
    /// series: one at the window's start and one per whole step after it, up to its end.
    /// </summary>
    public static long PointsInWindow(TimeSpan window, TimeSpan step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        return (window.Ticks / step.Ticks) + 1;
    }
}
