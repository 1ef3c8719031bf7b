using System.Text.Json;

namespace LightMesh.Testing;

/// <summary>
/// The hostile inputs of <c>tests/corpus/hostile</c>, as its <c>manifest.json</c> lists them: each one's bytes (read, or
/// made at test time when committing them would be large) and the answers it must get.
/// </summary>
public static class HostileCorpus
{
    public static string Folder => Path.Combine(Repository.Root, "tests", "corpus", "hostile");

    public static IReadOnlyList<HostileInput> All { get; } = Load();

    /// <summary>Every case's name, for a theory's data.</summary>
    public static TheoryData<string> Names => [.. All.Select(c => c.Name)];

    public static HostileInput Named(string name) => All.Single(c => c.Name == name);

    private static List<HostileInput> Load()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "manifest.json")));
        return [.. manifest.RootElement.GetProperty("cases").EnumerateArray().Select(Read)];
    }

    private static HostileInput Read(JsonElement entry)
    {
        static string? Text(JsonElement entry, string field) => entry.TryGetProperty(field, out var value) ? value.GetString() : null;

        var hooks = Answer(Text(entry, "hooks")!);
        return new HostileInput
        {
            Name = Text(entry, "file")!,
            Error = Text(entry, "error")!,
            Status = entry.TryGetProperty("status", out var status) ? status.GetInt32() : 400,
            Generate = entry.TryGetProperty("generate", out var generate) ? generate.Clone() : null,
            Hooks = new Dictionary<string, HookAnswer>
            {
                ["github"] = Text(entry, "github") is { } github ? Answer(github) : hooks,
                ["gitlab"] = Text(entry, "gitlab") is { } gitlab ? Answer(gitlab) : hooks,
                ["generic"] = Text(entry, "generic") is { } generic ? Answer(generic) : hooks,
            },
        };
    }

    // "400 body: not valid JSON": the status, then part of the answer's text.
    private static HookAnswer Answer(string text) => new(int.Parse(text[..3], System.Globalization.CultureInfo.InvariantCulture), text[4..]);
}
