using System.Globalization;
using System.Net;
using System.Text;
using LightMesh.Core.Analysis;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// One analysis metric's measurements as an SVG chart, drawn on the server: each measurement a point (its outcome in
/// its shape's fill and its title), the values where the success condition holds shaded green and those where the
/// failure condition holds shaded red, and a dashed line, labelled with its value, where a condition turns. The
/// conditions are evaluated, not read, so any condition draws (<c>result &lt; 0.05</c>, a range, an <c>or</c>).
/// </summary>
public static class MetricChart
{
    public const int Width = 480;
    public const int Height = 160;
    private const int Left = 56;
    private const int Right = 12;
    private const int Top = 10;
    private const int Bottom = 22;
    private const int Bands = 160;

    /// <param name="measurements">The measurements kept, oldest first.</param>
    /// <param name="success">Whether a value meets the success condition, or null when the metric has none.</param>
    /// <param name="failure">Whether a value meets the failure condition, or null when the metric has none.</param>
    /// <param name="label">What the chart shows, for a screen reader.</param>
    public static string Svg(IReadOnlyList<Measurement> measurements, Func<double, bool>? success, Func<double, bool>? failure, string label)
    {
        var values = measurements.SelectMany(m => m.Values).Where(double.IsFinite).ToList();
        var (low, high) = (Math.Min(0, values.DefaultIfEmpty(0).Min()), Math.Max(0, values.DefaultIfEmpty(0).Max()));

        // Where the conditions turn, looked for well beyond the measurements, so that a healthy canary's chart still shows
        // how far it is from failing; the chart then spans the measurements and the turns, with room above.
        var wide = Math.Max(1, 10 * (high - low));
        var turns = new[] { (Condition: success, Name: "success", Colour: "#1b7a33"), (Condition: failure, Name: "failure", Colour: "#b3261e") }
            .SelectMany(c => (c.Condition is null ? [] : Turns(c.Condition, low - wide, high + wide)).Select(at => (At: at, c.Name, c.Colour)))
            .ToList();
        low = Math.Min(low, turns.Select(t => t.At).DefaultIfEmpty(low).Min());
        high = Math.Max(high, turns.Select(t => t.At).DefaultIfEmpty(high).Max());
        high += high - low is > 0 and var spread ? spread * 0.25 : 1;
        double Y(double value) => Top + (high - value) / (high - low) * (Height - Top - Bottom);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Text(label)}\">");

        // Bands: where each condition holds, sampled from the top of the chart to the bottom.
        var step = (high - low) / Bands;
        for (var i = 0; i < Bands; i++)
        {
            var value = high - (i + 0.5) * step;
            var fill = failure?.Invoke(value) == true ? "#f4c7c3" : success?.Invoke(value) == true ? "#cde8d3" : null;
            if (fill is not null)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Y(high - i * step):0.##}\" width=\"{Width - Left - Right}\" height=\"{Y(high - (i + 1) * step) - Y(high - i * step):0.##}\" fill=\"{fill}\"/>");
            }
        }

        foreach (var (threshold, name, colour) in turns)
        {
            var y = Y(threshold);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"threshold {name}\" data-value=\"{Number(threshold)}\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.##}\" y2=\"{y:0.##}\" stroke=\"{colour}\" stroke-dasharray=\"4 3\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{y + 4:0.##}\" text-anchor=\"end\" font-size=\"11\" fill=\"{colour}\">{Number(threshold)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#8791a0\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" stroke=\"#8791a0\"/>");
        var span = measurements.Count > 1 ? (measurements[^1].At - measurements[0].At).TotalSeconds : 0;
        for (var i = 0; i < measurements.Count; i++)
        {
            var measurement = measurements[i];
            var x = span > 0 ? Left + 8 + (measurement.At - measurements[0].At).TotalSeconds / span * (Width - Left - Right - 16) : Left + (Width - Left - Right) / 2.0;
            var fill = measurement.Phase switch
            {
                MeasurementPhase.Successful => "#1b7a33",
                MeasurementPhase.Failed => "#b3261e",
                _ => "#8a5a00",
            };
            foreach (var value in measurement.Values.Where(double.IsFinite))
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"measurement\" cx=\"{x:0.##}\" cy=\"{Y(value):0.##}\" r=\"4\" fill=\"{fill}\"><title>{Text($"{Number(value)} at {measurement.At:HH:mm:ss}: {measurement.Phase}")}</title></circle>");
            }
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Where <paramref name="condition"/> turns between <paramref name="low"/> and <paramref name="high"/>, each found by bisection.</summary>
    public static IReadOnlyList<double> Turns(Func<double, bool> condition, double low, double high)
    {
        var turns = new List<double>();
        var step = (high - low) / Bands;
        for (var i = 0; i < Bands; i++)
        {
            double a = low + i * step, b = low + (i + 1) * step;
            if (condition(a) == condition(b))
            {
                continue;
            }

            var at = condition(a);
            for (var n = 0; n < 60; n++)
            {
                var middle = (a + b) / 2;
                if (condition(middle) == at)
                {
                    a = middle;
                }
                else
                {
                    b = middle;
                }
            }

            turns.Add(Math.Round((a + b) / 2, 9));
        }

        return turns;
    }

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Text(string text) => WebUtility.HtmlEncode(text);
}
