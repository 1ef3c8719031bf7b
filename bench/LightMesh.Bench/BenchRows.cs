using System.Globalization;
using System.Text.Json;
using LightMesh.Cli.Output;

namespace LightMesh.Bench;

/// <summary>How every benchmark prints its figures: a MEASURE/VALUE table, or one JSON object with <c>-o json</c>.</summary>
internal static class BenchRows
{
    public static void Print(IReadOnlyList<(string Name, string Value)> rows, string output)
    {
        if (output == "json")
        {
            Printer.Json([JsonSerializer.SerializeToNode(rows.ToDictionary(r => r.Name, r => r.Value))!], asList: false);
            return;
        }

        Printer.Table(["MEASURE", "VALUE"], rows.Select(r => (IReadOnlyList<string>)[r.Name, r.Value]));
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Milliseconds (or any figure) to one decimal; "-" when there was none.</summary>
    public static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>Bytes as MiB to one decimal; "-" when there were none.</summary>
    public static string Mib(double? bytes) => bytes is { } b && b > 0 ? (b / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) : "-";
}
