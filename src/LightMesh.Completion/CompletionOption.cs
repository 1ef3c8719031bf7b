namespace LightMesh.Completion;

/// <summary>An option as shell completion sees it: its names, short ones first, whether a value follows it, and what it is for.</summary>
public sealed record CompletionOption(IReadOnlyList<string> Names, bool TakesValue, string Description)
{
    public static CompletionOption Help { get; } = new(["-h", "--help"], false, "Prints help information");

    public string? ShortName => Names.FirstOrDefault(n => !n.StartsWith("--", StringComparison.Ordinal))?[1..];

    public string? LongName => Names.FirstOrDefault(n => n.StartsWith("--", StringComparison.Ordinal))?[2..];
}
