using System.Globalization;
using System.Text.RegularExpressions;
using CsCheck;
using LightMesh.Core.Analysis;
using LightMesh.Host.OperatorConsole;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>An analysis metric's chart: the conditions drawn where they turn, every point and line inside the plot.</summary>
public sealed partial class MetricChartTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 19, 7, 29, TimeSpan.Zero);

    [Fact]
    public void FailedMeasurement_IsDrawnWithBothThresholdsLabelled()
    {
        var svg = MetricChart.Svg([new Measurement(Start, [0.4], MeasurementPhase.Failed, "")], v => v < 0.05, v => v > 0.2, "error-ratio <1>");

        Assert.Contains("class=\"threshold success\" data-value=\"0.05\"", svg, StringComparison.Ordinal);
        Assert.Contains("class=\"threshold failure\" data-value=\"0.2\"", svg, StringComparison.Ordinal);
        Assert.Contains("<title>0.4 at 19:07:29: Failed</title>", svg, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"error-ratio &lt;1&gt;\"", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Turns_FindWhereAConditionTurns_ToWithinABillionthOfItsRange() =>
        Gen.Select(Gen.Double[-1e6, 1e6], Gen.Double[1e-3, 1e6], Gen.Double[0.01, 0.99]).Sample((low, span, share) =>
        {
            var threshold = low + span * share;
            var turns = MetricChart.Turns(v => v < threshold, low, low + span);
            return turns.Count == 1 && Math.Abs(turns[0] - threshold) <= span * 1e-9 + 1e-9 * Math.Max(1, Math.Abs(threshold));
        });

    [Fact]
    public void EveryPointAndThreshold_IsInsideThePlot() =>
        Gen.Select(Gen.Double[-1e4, 1e4].Array[1, 6], Gen.Double[-1e4, 1e4], Gen.Double[0, 1e3]).Sample((values, threshold, gap) =>
        {
            var measurements = values.Select((v, i) => new Measurement(Start.AddSeconds(i * 10), [v], MeasurementPhase.Inconclusive, "")).ToList();
            var svg = MetricChart.Svg(measurements, v => v < threshold, v => v > threshold + gap, "metric");
            var ys = Coordinate().Matches(svg).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
            return ys.Count >= values.Length && ys.All(y => y >= 10 - 1e-6 && y <= MetricChart.Height - 22 + 1e-6);
        });

    [GeneratedRegex("(?:cy|y1)=\"([-0-9.E]+)\"")]
    private static partial Regex Coordinate();
}
