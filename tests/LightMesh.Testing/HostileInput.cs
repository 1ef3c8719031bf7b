using System.Text;
using System.Text.Json;

namespace LightMesh.Testing;

/// <summary>One hostile input and the answers it must get.</summary>
public sealed record HostileInput
{
    public required string Name { get; init; }

    /// <summary>Part of the error the parser, <c>lightmesh validate</c> and the document API give.</summary>
    public required string Error { get; init; }

    /// <summary>The document API's status.</summary>
    public required int Status { get; init; }

    /// <summary>Each webhook endpoint's answer, by provider (<c>github</c>, <c>gitlab</c>, <c>generic</c>).</summary>
    public required IReadOnlyDictionary<string, HookAnswer> Hooks { get; init; }

    public JsonElement? Generate { get; init; }

    public byte[] Bytes()
    {
        if (Generate is not { } recipe)
        {
            return File.ReadAllBytes(Path.Combine(HostileCorpus.Folder, Name));
        }

        string Part(string field) => recipe.TryGetProperty(field, out var value) ? value.GetString()! : "";
        var repeat = Part("repeat");
        var times = recipe.GetProperty("times").GetInt32();
        var text = new StringBuilder(Part("head"), Part("head").Length + (repeat.Length * times) + Part("tail").Length);
        text.Insert(text.Length, repeat, times).Append(Part("tail"));
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public override string ToString() => Name;
}
