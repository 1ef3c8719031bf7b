using CsCheck;
using LightMesh.Core.Analysis;

namespace LightMesh.Core.Tests.Analysis;

public sealed class JudgeTests
{
    [Fact]
    public void MannWhitney_SeparatedSamples_GiveUZeroAndTheNormalApproximation()
    {
        // Ranks of {1,2,3} among {1..6} are 1,2,3: R1 = 6, U1 = 6 - 3*4/2 = 0. Mean 4.5, variance 3*3/12*7 = 5.25,
        // z = -(4.5 - 0.5)/sqrt(5.25) = -1.7457, two-sided p = 0.0809.
        var result = MannWhitney.Test([1, 2, 3], [4, 5, 6]);

        Assert.Equal(0, result.U);
        Assert.Equal(-1.7457, result.Z, 4);
        Assert.Equal(0.0809, result.PValue, 4);
    }

    [Fact]
    public void MannWhitney_Ties_UseAverageRanks()
    {
        // Sorted: 1(a) 2(a) 2(a) 2(b) 3(b) 4(b); the three 2s share rank 3. R1 = 1 + 3 + 3 = 7, U1 = 7 - 6 = 1.
        var result = MannWhitney.Test([1, 2, 2], [2, 3, 4]);

        Assert.Equal(1, result.U);
    }

    [Fact]
    public void MannWhitney_IdenticalSamples_FindNoDifference() =>
        Assert.Equal(1, MannWhitney.Test([5, 5, 5], [5, 5, 5]).PValue);

    [Fact]
    public void NormalCdf_KnownQuantiles() =>
        Assert.Equal((0.5, 0.975, 0.99), (Math.Round(MannWhitney.NormalCdf(0), 4), Math.Round(MannWhitney.NormalCdf(1.959964), 4), Math.Round(MannWhitney.NormalCdf(2.326348), 4)));

    private static readonly double[] Baseline = [10, 11, 9, 10.5, 10.2, 9.8, 10.1, 9.9, 10.3, 10.4, 9.7, 10.6];

    [Fact]
    public void Classify_SameDistribution_Passes()
    {
        var result = Judge.Classify(new JudgeMetric { Name = "latency" }, [10.1, 9.9, 10.4, 10, 9.8, 10.2, 10.5, 9.7, 10.3, 10.6, 10, 9.9], Baseline);

        Assert.Equal(JudgeClassification.Pass, result.Classification);
        Assert.True(result.Passed);
    }

    [Fact]
    public void Classify_ShiftedUp_IsHighAndFailsWhenIncreaseIsBad()
    {
        var shifted = Baseline.Select(v => v * 1.5).ToArray();

        var latency = Judge.Classify(new JudgeMetric { Name = "latency", Direction = JudgeDirection.Increase }, shifted, Baseline);
        var throughput = Judge.Classify(new JudgeMetric { Name = "rps", Direction = JudgeDirection.Decrease }, shifted, Baseline);

        Assert.Equal(JudgeClassification.High, latency.Classification);
        Assert.False(latency.Passed);
        Assert.Equal(JudgeClassification.High, throughput.Classification);
        Assert.True(throughput.Passed);
    }

    [Fact]
    public void Classify_RealButSmallShift_IsWithinTheEffectTolerance()
    {
        var slightly = Baseline.Select(v => v * 1.1).ToArray();

        Assert.Equal(JudgeClassification.Pass, Judge.Classify(new JudgeMetric { Name = "latency" }, slightly, Baseline).Classification);
    }

    [Fact]
    public void Classify_TooFewPointsOrOnlyNaN_IsNoData()
    {
        Assert.Equal(JudgeClassification.NoData, Judge.Classify(new JudgeMetric { Name = "m" }, [1, 2], Baseline).Classification);
        Assert.Equal(JudgeClassification.NoData, Judge.Classify(new JudgeMetric { Name = "m" }, [double.NaN, double.NaN, double.NaN], Baseline).Classification);
        Assert.Equal(JudgeClassification.High, Judge.Classify(new JudgeMetric { Name = "m", Nan = NanStrategy.Replace, NanReplacement = 100 }, [double.NaN, double.NaN, double.NaN, double.NaN, double.NaN], Baseline).Classification);
    }

    [Fact]
    public void Classify_ThreeFarAboveThree_IsNoDataNotPass()
    {
        // At 3 points per side the smallest p is 0.081: not significant at 0.98, which used to make this a Pass.
        var result = Judge.Classify(new JudgeMetric { Name = "latency" }, [100, 101, 102], [1, 2, 3]);

        Assert.Equal(JudgeClassification.NoData, result.Classification);
        Assert.False(result.Passed);
        Assert.Equal("3 canary and 3 baseline points; at least 5 each are needed (fewer cannot reach confidence 0.98)", result.Reason);
    }

    [Fact]
    public void Classify_FiveFarAboveFive_IsHigh() =>
        Assert.Equal(JudgeClassification.High, Judge.Classify(new JudgeMetric { Name = "latency" }, [100, 101, 102, 103, 104], [1, 2, 3, 4, 5]).Classification);

    [Fact]
    public void Classify_MinimumPointsAboveTheConfidencesNeed_IsTheOneThatCounts()
    {
        var result = Judge.Classify(new JudgeMetric { Name = "latency", MinimumPoints = 8 }, [100, 101, 102, 103, 104, 105, 106], [1, 2, 3, 4, 5, 6, 7]);

        Assert.Equal(JudgeClassification.NoData, result.Classification);
        Assert.Equal("7 canary and 7 baseline points; at least 8 each are needed", result.Reason);
    }

    /// <summary>
    /// Whatever the samples, fewer points on a side than the confidence needs is NoData (so never Pass). A failing
    /// case prints its seed; replay it with <c>seed:</c> on <c>Sample</c> or the <c>CsCheck_Seed</c> variable.
    /// </summary>
    [Fact]
    public void Classify_FewerPointsThanTheConfidenceNeeds_IsNoData()
    {
        var cases =
            from confidence in Gen.Double[0.5, 0.9999]
            let needed = JudgePower.PointsNeeded(confidence)
            from minimumPoints in Gen.Int[1, needed + 5]
            let effective = Math.Max(minimumPoints, needed)
            from shortSide in Gen.Double[0, 1000].Array[0, effective - 1]
            from otherSide in Gen.Double[0, 1000].Array[0, 30]
            from canaryIsShort in Gen.Bool
            select (confidence, minimumPoints, canaryIsShort ? shortSide : otherSide, canaryIsShort ? otherSide : shortSide);

        cases.Sample((confidence, minimumPoints, canary, baseline) =>
        {
            var result = Judge.Classify(new JudgeMetric { Name = "m", Confidence = confidence, MinimumPoints = minimumPoints }, canary, baseline);

            Assert.Equal(JudgeClassification.NoData, result.Classification);
            Assert.False(result.Passed);
        });
    }

    [Fact]
    public void Score_NoDataMetric_IsLeftOutNotCountedAsPassed()
    {
        var ok = new JudgeMetricResult("a", JudgeClassification.Pass, true, 0.5, 0, 10, 10, "");
        var bad = new JudgeMetricResult("b", JudgeClassification.High, false, 0.001, 1, 10, 10, "");
        var none = new JudgeMetricResult("c", JudgeClassification.NoData, false, double.NaN, double.NaN, 3, 3, "");

        var result = Judge.Score([(new JudgeMetric { Name = "a" }, ok), (new JudgeMetric { Name = "b" }, bad), (new JudgeMetric { Name = "c", Weight = 10 }, none)]);

        Assert.Equal((50, JudgeVerdict.Fail), (result.Score, result.Verdict));
        Assert.Equal("1 of 2 metrics passed", result.Reason);
    }

    [Fact]
    public void Score_WeightsPassesAndACriticalFailureFailsOutright()
    {
        var ok = new JudgeMetricResult("a", JudgeClassification.Pass, true, 0.5, 0, 10, 10, "");
        var bad = new JudgeMetricResult("b", JudgeClassification.High, false, 0.001, 1, 10, 10, "");
        var none = new JudgeMetricResult("c", JudgeClassification.NoData, false, double.NaN, double.NaN, 0, 0, "");

        var weighted = Judge.Score([(new JudgeMetric { Name = "a", Weight = 3 }, ok), (new JudgeMetric { Name = "b", Weight = 1 }, bad)]);
        Assert.Equal((75, JudgeVerdict.Marginal), (weighted.Score, weighted.Verdict));

        var critical = Judge.Score([(new JudgeMetric { Name = "a", Weight = 9 }, ok), (new JudgeMetric { Name = "b", Critical = true }, bad)]);
        Assert.Equal(JudgeVerdict.Fail, critical.Verdict);
        Assert.StartsWith("critical metric b failed", critical.Reason, StringComparison.Ordinal);

        var empty = Judge.Score([(new JudgeMetric { Name = "a" }, ok), (new JudgeMetric { Name = "c" }, none)]);
        Assert.Equal((0, JudgeVerdict.Fail), (empty.Score, empty.Verdict));
    }
}
