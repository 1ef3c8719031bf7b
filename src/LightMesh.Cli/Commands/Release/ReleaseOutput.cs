using System.Text.Json;
using System.Text.Json.Nodes;
using LightMesh.Cli.Output;
using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LightMesh.Cli.Commands.Release;

/// <summary>Writes releases as a table (with the event log, analyses and progress for one release in detail), JSON or YAML.</summary>
public static class ReleaseOutput
{
    public static void List(IReadOnlyList<ReleaseView> releases, string format)
    {
        switch (format)
        {
            case "json":
                Printer.Json(releases.Select(ToNode).ToList(), asList: true);
                break;
            case "yaml":
                Printer.Yaml(releases.Select(ToNode).ToList());
                break;
            default:
                Printer.Table(ReleaseRows.Headers, releases.Select(ReleaseRows.Row));
                break;
        }
    }

    /// <summary>Writes one release; <paramref name="detailed"/> adds its event log and analyses to the table.</summary>
    public static void One(ReleaseView release, string format, bool detailed)
    {
        switch (format)
        {
            case "json":
                Printer.Json([ToNode(release)], asList: false);
                break;
            case "yaml":
                Printer.Yaml([ToNode(release)]);
                break;
            default:
                Printer.Table(ReleaseRows.Headers, [ReleaseRows.Row(release)]);
                if (detailed)
                {
                    Printer.Line("");
                    Printer.Line("Events:");
                    Printer.Table(ReleaseRows.EventHeaders, ReleaseRows.EventRows(release));
                    if (release.Analyses.Count > 0)
                    {
                        Printer.Line("");
                        Printer.Line("Analyses:");
                        Printer.Table(ReleaseRows.AnalysisHeaders, ReleaseRows.AnalysisRows(release));
                    }

                    Printer.Line("");
                    Printer.Write(ReleaseProgress.Render(release));
                }

                break;
        }
    }

    /// <summary>The detailed table view as one renderable, for a live display that redraws it in place.</summary>
    public static IRenderable Detailed(ReleaseView release)
    {
        var parts = new List<IRenderable>
        {
            Table(ReleaseRows.Headers, [ReleaseRows.Row(release)]), Text.Empty, new Text("Events:"), Table(ReleaseRows.EventHeaders, ReleaseRows.EventRows(release)),
        };
        if (release.Analyses.Count > 0)
        {
            parts.AddRange([Text.Empty, new Text("Analyses:"), Table(ReleaseRows.AnalysisHeaders, ReleaseRows.AnalysisRows(release))]);
        }

        // Last, so that when a long event log is cropped at the top, where the release stands stays in view.
        parts.AddRange([Text.Empty, ReleaseProgress.Render(release)]);

        return new Rows(parts);
    }

    public static JsonNode ToNode(ReleaseView release) => JsonSerializer.SerializeToNode(release, ReleaseJson.Options)!;

    // The style of Printer.Table (no borders, columns aligned), except that the last column (a reason, a message)
    // wraps, so a terminal narrower than the table keeps the short columns whole.
    private static Table Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table().Border(TableBorder.None).HideRowSeparators();
        foreach (var (header, i) in headers.Select((h, i) => (h, i)))
        {
            var column = new TableColumn(header).PadLeft(0).PadRight(3);
            table.AddColumn(i < headers.Count - 1 ? column.NoWrap() : column);
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => new Text(cell)).ToArray());
        }

        return table;
    }
}
