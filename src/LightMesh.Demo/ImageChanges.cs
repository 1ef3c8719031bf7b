using System.Text;
using System.Text.Json;
using LightMesh.Core;

namespace LightMesh.Demo;

/// <summary>The Dockerfile instructions an import applies to its image (the <c>changes</c> of <c>docker import</c>): what runs, where, with which environment.</summary>
public static class ImageChanges
{
    /// <summary>
    /// <c>ENTRYPOINT</c> in exec form (there is no shell in the image), <c>WORKDIR</c> and one <c>ENV</c> per variable,
    /// in order (a later one wins). Values are quoted so that spaces, quotes and <c>$</c> arrive as written.
    /// </summary>
    public static IReadOnlyList<string> Compose(
        IReadOnlyList<string> entrypoint, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var invalid = environment.Select(e => e.Key).Where(name => name.Length == 0 || name.Any(c => c == '=' || char.IsWhiteSpace(c))).ToList();
        if (invalid.Count > 0)
        {
            throw new InvalidInputException($"not environment variable names: {string.Join(", ", invalid.Select(n => $"\"{n}\""))}");
        }

        return
        [
            $"ENTRYPOINT {JsonSerializer.Serialize(entrypoint)}",
            $"WORKDIR {workingDirectory}",
            .. environment.Select(e => $"ENV {e.Key}={Quoted(e.Value)}"),
        ];
    }

    private static string Quoted(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\' or '$')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }
}
