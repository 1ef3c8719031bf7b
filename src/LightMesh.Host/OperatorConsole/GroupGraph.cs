using System.Globalization;
using System.Net;
using System.Text;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// A group release's members as the graph their <c>after</c> lists make, drawn on the server as SVG: a box per member
/// (service, version, and its release's phase in words and colour, or "waiting"), placed in the column of how many
/// members wait before it, and an arrow from each member to every member that starts after it.
/// </summary>
public static class GroupGraph
{
    private const int BoxWidth = 160;
    private const int BoxHeight = 44;
    private const int ColumnGap = 56;
    private const int RowGap = 16;
    private const int Margin = 8;

    /// <summary>The graph of <paramref name="members"/> (acyclic, as validation keeps every group workflow), labelled <paramref name="label"/>.</summary>
    public static string Svg(IReadOnlyList<GroupMemberView> members, string label)
    {
        var columns = Columns(members);
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var column in members.GroupBy(m => columns[m.Service]))
        {
            foreach (var (member, row) in column.Select((m, i) => (m, i)))
            {
                rows[member.Service] = row;
            }
        }

        double X(string service) => Margin + columns[service] * (BoxWidth + ColumnGap);
        double Y(string service) => Margin + rows[service] * (BoxHeight + RowGap);
        var width = (2 * Margin) + ((columns.Values.DefaultIfEmpty(0).Max() + 1) * (BoxWidth + ColumnGap)) - ColumnGap;
        var height = (2 * Margin) + ((rows.Values.DefaultIfEmpty(0).Max() + 1) * (BoxHeight + RowGap)) - RowGap;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{Text(label)}\">");
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#5b6472\"/></marker></defs>");
        foreach (var member in members)
        {
            foreach (var before in member.After)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<line class=\"after\" data-from=\"{Text(before)}\" data-to=\"{Text(member.Service)}\" x1=\"{X(before) + BoxWidth:0.##}\" y1=\"{Y(before) + (BoxHeight / 2.0):0.##}\" x2=\"{X(member.Service):0.##}\" y2=\"{Y(member.Service) + (BoxHeight / 2.0):0.##}\" stroke=\"#5b6472\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>");
            }
        }

        foreach (var member in members)
        {
            var phase = member.Phase?.ToString() ?? "waiting";
            var state = member.RevertPhase is { } revert ? $"{phase}, reverted: {revert}" : phase;
            var (x, y) = (X(member.Service), Y(member.Service));
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"member\" data-member=\"{Text(member.Service)}\" data-column=\"{columns[member.Service]}\">");
            svg.Append(CultureInfo.InvariantCulture, $"<title>{Text($"{member.Service} {member.Version}: {state}{(member.After.Count > 0 ? $"; starts after {string.Join(" and ", member.After)}" : "; starts first")}")}</title>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{BoxWidth}\" height=\"{BoxHeight}\" rx=\"6\" fill=\"#ffffff\" stroke=\"{Colour(member.Phase)}\" stroke-width=\"2\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 8:0.##}\" y=\"{y + 18:0.##}\" font-size=\"13\" fill=\"#1f2328\">{Text($"{member.Service} {member.Version}")}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"state\" x=\"{x + 8:0.##}\" y=\"{y + 35:0.##}\" font-size=\"11\" fill=\"{Colour(member.Phase)}\">{Text(state)}</text>");
            svg.Append("</g>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Each member's column: 0 for one that waits for none, else one more than the furthest member it waits for.</summary>
    public static IReadOnlyDictionary<string, int> Columns(IReadOnlyList<GroupMemberView> members)
    {
        var after = members.ToDictionary(m => m.Service, m => m.After, StringComparer.Ordinal);
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        int ColumnOf(string service, int depth) =>
            columns.TryGetValue(service, out var known) ? known
            : depth > after.Count ? throw new InvalidOperationException($"the members' after lists form a cycle through {service}")
            : columns[service] = after.GetValueOrDefault(service, []).Where(after.ContainsKey).Select(b => ColumnOf(b, depth + 1) + 1).DefaultIfEmpty(0).Max();
        foreach (var member in members)
        {
            ColumnOf(member.Service, 0);
        }

        return columns;
    }

    /// <summary>The console's colours of the phases (its <c>.phase-*</c> classes); grey for a member not started.</summary>
    private static string Colour(ReleasePhase? phase) => phase switch
    {
        ReleasePhase.Progressing => "#0b5cad",
        ReleasePhase.Paused => "#8a5a00",
        ReleasePhase.Succeeded => "#1b7a33",
        ReleasePhase.RolledBack or ReleasePhase.Aborted or ReleasePhase.Failed => "#b3261e",
        _ => "#5b6472",
    };

    private static string Text(string text) => WebUtility.HtmlEncode(text);
}
