using System.Text.Json;
using System.Text.Json.Nodes;
using LightMesh.Core.Parsing;
using LightMesh.Core.Validation;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LightMesh.Cli.Output;

/// <summary>Writes results as a table, JSON or YAML, and problems to standard error.</summary>
public static class Printer
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static IAnsiConsole Out { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Out),
        Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
    });

    /// <summary>Writes rows under headers, kubectl-style: no borders, columns aligned.</summary>
    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (Console.IsOutputRedirected)
        {
            Out.Profile.Width = 400;
        }

        var table = new Table().Border(TableBorder.None).HideRowSeparators();
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(header).PadLeft(0).PadRight(3).NoWrap());
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => new Text(cell)).ToArray());
        }

        Out.Write(table);
    }

    /// <summary>Writes a renderable: coloured on a terminal, plain text (its markup removed) when redirected.</summary>
    public static void Write(IRenderable renderable)
    {
        if (Console.IsOutputRedirected)
        {
            Out.Profile.Width = 400;
        }

        Out.Write(renderable);
    }

    /// <summary>Writes trees as JSON: one object, or an array when <paramref name="asList"/>.</summary>
    public static void Json(IReadOnlyList<JsonNode> items, bool asList) =>
        Console.WriteLine((asList ? new JsonArray(items.Select(i => i.DeepClone()).ToArray()) : items[0]).ToJsonString(Indented));

    /// <summary>Writes trees as YAML documents, separated by <c>---</c>.</summary>
    public static void Yaml(IReadOnlyList<JsonNode> items) => Console.Write(YamlText.Write(items));

    public static void Line(string text) => Console.WriteLine(text);

    public static void Error(string text) => Console.Error.WriteLine(text);

    public static void Errors(IEnumerable<ValidationError> errors) => Errors(errors.Select(e => e.ToString()));

    public static void Errors(IEnumerable<string> errors)
    {
        foreach (var error in errors)
        {
            Console.Error.WriteLine(error);
        }
    }
}
