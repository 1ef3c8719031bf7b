using System.Numerics;
using CsCheck;
using LightMesh.Core.Analysis;

namespace LightMesh.Core.Tests.Analysis;

/// <summary>
/// How many points the judge needs. The generated tests print a seed when they fail (CsCheck's
/// <c>Set seed: "..."</c> in the failure message); pass it as <c>seed:</c> to <c>Sample</c>, or set the
/// environment variable <c>CsCheck_Seed</c>, to replay the case.
/// </summary>
public sealed class JudgePowerTests
{
    [Fact]
    public void MinimumPValue_ThreeToFivePerSide_AreTheNormalApproximationsFigures()
    {
        // The exact two-sided figures are 0.1, 0.0286 and 0.0079; the judge follows the approximation it computes.
        Assert.Equal(0.0809, MannWhitney.MinimumPValue(3, 3), 4);
        Assert.Equal(0.0304, MannWhitney.MinimumPValue(4, 4), 4);
        Assert.Equal(0.0122, MannWhitney.MinimumPValue(5, 5), 4);
    }

    [Fact]
    public void MinimumPValue_SmallSizes_MatchesBruteForceOverEveryOrdering() =>
        Gen.Int[1, 6].Select(Gen.Int[1, 6]).Sample((n, m) =>
        {
            var smallest = 1.0;
            for (var mask = 0; mask < 1 << (n + m); mask++)
            {
                if (BitOperations.PopCount((uint)mask) != n)
                {
                    continue;
                }

                // The ranks 1..n+m, those in the mask to the canary: every way n distinct values can fall among m others.
                var canary = Enumerable.Range(0, n + m).Where(i => (mask & (1 << i)) != 0).Select(i => (double)i).ToList();
                var baseline = Enumerable.Range(0, n + m).Where(i => (mask & (1 << i)) == 0).Select(i => (double)i).ToList();
                smallest = Math.Min(smallest, MannWhitney.Test(canary, baseline).PValue);
            }

            Assert.Equal(smallest, MannWhitney.MinimumPValue(n, m));
        });

    [Theory]
    [InlineData(0.5, 2)]
    [InlineData(0.9, 3)]
    [InlineData(0.95, 4)]
    [InlineData(0.98, 5)]
    [InlineData(0.99, 6)]
    [InlineData(0.9999, 11)]
    public void PointsNeeded_CommonConfidences_AreTheFewestThatReachSignificance(double confidence, int expected)
    {
        var needed = JudgePower.PointsNeeded(confidence);

        Assert.Equal(expected, needed);
        Assert.True(MannWhitney.MinimumPValue(needed, needed) < 1 - confidence);
        Assert.False(MannWhitney.MinimumPValue(needed - 1, needed - 1) < 1 - confidence);
    }

    [Fact]
    public void PointsNeeded_BothSidesAtLeastThatLong_CanAlwaysReachSignificance() =>
        Gen.Double[0.5, 0.9999].SelectMany(confidence => Gen.Int[0, 40].Select(Gen.Int[0, 40]).Select(extra => (confidence, extra.Item1, extra.Item2)))
            .Sample((confidence, extraCanary, extraBaseline) =>
            {
                var needed = JudgePower.PointsNeeded(confidence);

                Assert.True(MannWhitney.MinimumPValue(needed + extraCanary, needed + extraBaseline) < 1 - confidence);
            });

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void PointsNeeded_ConfidenceOutsideZeroToOne_Throws(double confidence) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => JudgePower.PointsNeeded(confidence));

    [Theory]
    [InlineData(600, 30, 21)]
    [InlineData(60, 30, 3)]
    [InlineData(59, 30, 2)]
    [InlineData(120, 30, 5)]
    public void PointsInWindow_WindowAndStep_CountsTheStartAndEachWholeStep(int windowSeconds, int stepSeconds, long expected) =>
        Assert.Equal(expected, JudgePower.PointsInWindow(TimeSpan.FromSeconds(windowSeconds), TimeSpan.FromSeconds(stepSeconds)));

    [Fact]
    public void EffectiveMinimumPoints_MinimumPointsBelowTheConfidencesNeed_IsTheNeed()
    {
        Assert.Equal(5, JudgePower.EffectiveMinimumPoints(new JudgeMetric { Name = "m", MinimumPoints = 3, Confidence = 0.98 }));
        Assert.Equal(8, JudgePower.EffectiveMinimumPoints(new JudgeMetric { Name = "m", MinimumPoints = 8, Confidence = 0.98 }));
    }
}
