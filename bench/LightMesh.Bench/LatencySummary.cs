namespace LightMesh.Bench;

/// <summary>How many samples, their median, 95th and 99th percentiles and largest value (nearest-rank percentiles).</summary>
internal readonly record struct LatencySummary(int Count, double P50, double P95, double P99, double Max)
{
    public static LatencySummary Of(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToList();
        if (sorted.Count == 0)
        {
            return new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        return new LatencySummary(sorted.Count, Percentile(0.50), Percentile(0.95), Percentile(0.99), sorted[^1]);
    }

    /// <summary>The same figures less a fixed cost, e.g. the etcd round trips a transition makes.</summary>
    public LatencySummary Minus(double cost) => this with { P50 = P50 - cost, P95 = P95 - cost, P99 = P99 - cost, Max = Max - cost };
}
