using System.Text.Json.Nodes;
using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;

namespace LightMesh.Cli.Output;

/// <summary>What <c>apply --diff</c> prints: for each document the apply would create or change, a unified diff of its YAML.</summary>
public static class DocumentDiffs
{
    /// <summary>Prints the diff of each change; unchanged documents print nothing.</summary>
    public static void Print(IEnumerable<(string Reference, JsonObject? Before, JsonObject? After)> changes)
    {
        foreach (var (reference, before, after) in changes)
        {
            var lines = LineDiff.Unified(
                before is null ? "" : YamlText.WriteOne(before), after is null ? "" : YamlText.WriteOne(after),
                before is null ? "/dev/null" : $"{reference} (stored)", after is null ? "/dev/null" : $"{reference} (applied)");
            foreach (var line in lines)
            {
                Printer.Line(line);
            }
        }
    }
}
