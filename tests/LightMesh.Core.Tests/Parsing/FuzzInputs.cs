using System.Text;
using System.Text.Json.Nodes;
using LightMesh.Core.Parsing;

namespace LightMesh.Core.Tests.Parsing;

/// <summary>
/// Inputs for fuzzing the document parser, each made from one seed: a known file (an example, a workflow, a hostile
/// case) or a random tree written as YAML or JSON, then mutated a few times: bytes flipped or set to ones YAML and UTF-8
/// care about, tokens inserted (anchors, aliases, escapes, huge numbers, comments), lines duplicated, deleted or swapped,
/// anchors and aliases planted, nesting deepened, the text cut, spliced or repeated.
/// </summary>
internal sealed class FuzzInputs(IReadOnlyList<byte[]> files)
{
    private static readonly byte[] Bytes = [0x00, 0x01, 0x1B, 0x7F, 0x85, 0xC0, 0xED, 0xFE, 0xFF, .. "{}[]:-&*!|>\"'\n\r\t #%@`,?\\"u8];

    private static readonly string[] Tokens =
    [
        "&a ", "*a", "&b ", "*b", "<<: *a\n", "? ", "- ", ": ", "{", "}", "[", "]", "\"\\0\"", "\"\\x1b\"", "\"\\ud800\"", "\"\\U0010FFFF\"",
        "1e999", "-1e999", "99999999999999999999", "-99999999999999999999", "1e-999", ".inf", ".nan", "0x1F", "0o17", "!!binary ", "!tag ",
        "!!python/object:os.system ", "%YAML 1.2\n---\n", "%TAG ! tag:x,2000:\n", "---\n", "...\n", "\t", "\r", "\uFEFF", "// c\n", "/* c */",
        "# c\n", "\u0085", "\u2028", "|\n  x\n", ">-\n  x\n", "~", "null", "true", "''", "\"\"", "\"\\", "'",
    ];

    private static readonly string[] Keys =
    [
        "apiVersion", "kind", "metadata", "name", "labels", "spec", "hosts", "http", "route", "destination", "host", "subset", "weight",
        "subsets", "port", "number", "protocol", "address", "steps", "setWeight", "analysis", "templates", "metrics", "provider",
        "prometheus", "query", "successCondition", "args", "match", "headers", "uri", "prefix", "timeout", "retries", "fault",
    ];

    private static readonly string[] Kinds =
    [
        "lightmesh.io/v1|Service", "lightmesh.io/v1|Node", "lightmesh.io/v1|AnalysisTemplate", "lightmesh.io/v1|ReleaseWorkflow",
        "lightmesh.io/v1|ReleaseTrigger", "lightmesh.io/v1|Schedule", "lightmesh.io/v1|Mesh", "networking.istio.io/v1|VirtualService",
        "networking.istio.io/v1|DestinationRule",
    ];

    /// <summary>The input seed <paramref name="seed"/> makes; the same seed always makes the same bytes.</summary>
    public byte[] Make(int seed)
    {
        var random = new Random(seed);
        var input = random.Next(4) == 0 ? RandomDocument(random) : files[random.Next(files.Count)];
        var mutations = random.Next(1, 9);
        for (var i = 0; i < mutations; i++)
        {
            input = Mutate(random, input);
        }

        return input;
    }

    private byte[] Mutate(Random random, byte[] input)
    {
        var text = input.ToList();
        int At() => random.Next(text.Count + 1);
        switch (random.Next(12))
        {
            case 0 when text.Count > 0:
                text[random.Next(text.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when text.Count > 0:
                text[random.Next(text.Count)] = Bytes[random.Next(Bytes.Length)];
                break;
            case 2:
                text.InsertRange(At(), Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]));
                break;
            case 3:
                return Lines(random, input);
            case 4:
                return Alias(random, input);
            case 5:
                var depth = random.Next(4) == 0 ? random.Next(60, 300) : random.Next(1, 20);
                var (open, close) = random.Next(3) switch { 0 => ("[", "]"), 1 => ("{a: ", "}"), _ => ("{\"a\": ", "}") };
                text.InsertRange(At(), Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(open, depth)) + "x" + string.Concat(Enumerable.Repeat(close, depth))));
                break;
            case 6 when text.Count > 0:
                var cut = random.Next(text.Count);
                text.RemoveRange(cut, text.Count - cut);
                break;
            case 7:
                var other = files[random.Next(files.Count)];
                return [.. input.Take(random.Next(input.Length + 1)), .. other.Skip(random.Next(other.Length + 1))];
            case 8 when text.Count > 0:
                var start = random.Next(text.Count);
                var chunk = text.Skip(start).Take(random.Next(1, 40)).ToArray();
                var copies = random.Next(1, 200);
                for (var i = 0; i < copies; i++)
                {
                    text.InsertRange(start, chunk);
                }

                break;
            case 9:
                text.InsertRange(At(), Encoding.UTF8.GetBytes($"&l0 [x]\n{Laughs(random.Next(2, 12))}"));
                break;
            default:
                text.Insert(At(), Bytes[random.Next(Bytes.Length)]);
                break;
        }

        return [.. text];
    }

    /// <summary>A line duplicated, deleted or swapped with another.</summary>
    private static byte[] Lines(Random random, byte[] input)
    {
        var lines = Encoding.UTF8.GetString(input).Split('\n').ToList();
        var i = random.Next(lines.Count);
        var j = random.Next(lines.Count);
        switch (random.Next(3))
        {
            case 0:
                lines.Insert(j, lines[i]);
                break;
            case 1:
                lines.RemoveAt(i);
                break;
            default:
                (lines[i], lines[j]) = (lines[j], lines[i]);
                break;
        }

        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    /// <summary>An anchor planted on one value and an alias put in place of another, before or after it, or inside it.</summary>
    private static byte[] Alias(Random random, byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var values = Enumerable.Range(0, Math.Max(0, text.Length - 1)).Where(i => text[i] == ':' && text[i + 1] == ' ').ToList();
        if (values.Count == 0)
        {
            return input;
        }

        var name = $"x{random.Next(3)}";
        var anchor = values[random.Next(values.Count)] + 2;
        var alias = values[random.Next(values.Count)] + 2;
        var aliasEnd = text.IndexOfAny([',', '}', '\n'], alias) is var end and >= 0 ? end : text.Length;
        var edits = new List<(int At, int Remove, string Insert)> { (alias, aliasEnd - alias, $"*{name}") };
        if (anchor < alias || anchor >= aliasEnd)
        {
            edits.Add((anchor, 0, $"&{name} "));
        }

        var result = new StringBuilder(text);
        foreach (var (at, remove, insert) in edits.OrderByDescending(e => e.At))
        {
            result.Remove(at, remove).Insert(at, insert);
        }

        return Encoding.UTF8.GetBytes(result.ToString());
    }

    /// <summary>Levels of ten aliases each to the level below, as a billion-laughs document has.</summary>
    private static string Laughs(int levels) =>
        string.Concat(Enumerable.Range(1, levels).Select(l => $"l{l}: &l{l} [{string.Join(", ", Enumerable.Repeat($"*l{l - 1}", 10))}]\n"));

    /// <summary>A random tree, mostly shaped like a document of some kind, written as YAML or as JSON.</summary>
    private static byte[] RandomDocument(Random random)
    {
        var kind = Kinds[random.Next(Kinds.Length)].Split('|');
        var root = new JsonObject { ["apiVersion"] = kind[0], ["kind"] = kind[1], ["metadata"] = new JsonObject { ["name"] = "checkout" } };
        root["spec"] = Node(random, 0);
        var text = random.Next(2) == 0 ? YamlText.Write([root]) : root.ToJsonString();
        return Encoding.UTF8.GetBytes(text);
    }

    private static JsonNode? Node(Random random, int depth) => (depth > 6 ? random.Next(4) : random.Next(7)) switch
    {
        0 => JsonValue.Create(random.Next(-5, 200)),
        1 => JsonValue.Create(Keys[random.Next(Keys.Length)]),
        2 => JsonValue.Create(random.NextDouble() * 100),
        3 => random.Next(2) == 0 ? null : JsonValue.Create(random.Next(2) == 0),
        4 or 5 => new JsonObject(Enumerable.Range(0, random.Next(5)).Select(i => Keys[random.Next(Keys.Length)]).Distinct()
            .Select(k => KeyValuePair.Create(k, Node(random, depth + 1)))),
        _ => new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => Node(random, depth + 1))]),
    };
}
