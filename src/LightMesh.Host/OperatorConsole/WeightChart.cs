using System.Globalization;
using System.Net;
using System.Text;
using LightMesh.Core.Releases;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// The canary's weight over a release's life as an SVG chart, drawn on the server from its events
/// (<see cref="ReleaseTimeline.Weights"/>): a step line from 0 at the start to each weight a step set, with every change
/// a point titled with its time and weight, and the rollback, from its beginning to its end, shaded red (the weight goes
/// to 0 during it, at a moment the events do not record).
/// </summary>
public static class WeightChart
{
    public const int Width = 480;
    public const int Height = 120;
    private const int Left = 40;
    private const int Right = 12;
    private const int Top = 8;
    private const int Bottom = 22;

    /// <param name="until">Where the chart ends: the release's end, or now for a running release.</param>
    public static string Svg(IReadOnlyList<WeightPoint> weights, DateTimeOffset? rollbackBegan, DateTimeOffset until, string label)
    {
        var from = weights[0].At;
        until = new[] { until, weights[^1].At }.Max();
        var span = Math.Max(1, (until - from).TotalSeconds);
        double X(DateTimeOffset at) => Left + (at - from).TotalSeconds / span * (Width - Left - Right);
        static double Y(int weight) => Top + (100 - weight) / 100.0 * (Height - Top - Bottom);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Text(label)}\">");
        if (rollbackBegan is { } rollback)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"rollback\" x=\"{X(rollback):0.##}\" y=\"{Top}\" width=\"{Math.Max(2, X(until) - X(rollback)):0.##}\" height=\"{Height - Top - Bottom}\" fill=\"#f4c7c3\"><title>{Text($"rolling back from {rollback:HH:mm:ss}")}</title></rect>");
        }

        foreach (var weight in new[] { 0, 50, 100 })
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(weight):0.##}\" y2=\"{Y(weight):0.##}\" stroke=\"#dde1e7\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Y(weight) + 4:0.##}\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6472\">{weight}%</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 6}\" font-size=\"11\" fill=\"#5b6472\">{from:HH:mm:ss}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right}\" y=\"{Height - 6}\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6472\">{until:HH:mm:ss}</text>");

        // Each weight holds until the next change, and the last until the chart's end.
        var path = new StringBuilder().Append(CultureInfo.InvariantCulture, $"M{X(from):0.##},{Y(weights[0].Weight):0.##}");
        for (var i = 1; i < weights.Count; i++)
        {
            path.Append(CultureInfo.InvariantCulture, $" H{X(weights[i].At):0.##} V{Y(weights[i].Weight):0.##}");
        }

        path.Append(CultureInfo.InvariantCulture, $" H{X(until):0.##}");
        svg.Append(CultureInfo.InvariantCulture, $"<path class=\"weight\" d=\"{path}\" fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"2\"/>");
        foreach (var point in weights)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"weight-change\" data-weight=\"{point.Weight}\" cx=\"{X(point.At):0.##}\" cy=\"{Y(point.Weight):0.##}\" r=\"3.5\" fill=\"#0b5cad\"><title>{Text($"{point.Weight}% at {point.At:HH:mm:ss}")}</title></circle>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Text(string text) => WebUtility.HtmlEncode(text);
}
