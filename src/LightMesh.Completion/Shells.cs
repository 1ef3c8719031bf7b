namespace LightMesh.Completion;

/// <summary>Quoting shared by the completion scripts.</summary>
public static class Shells
{
    public static IReadOnlyList<string> Names { get; } = ["bash", "zsh", "fish"];

    /// <summary>A word in single quotes for bash and zsh: a quote inside ends the quoting, is escaped, and starts it again.</summary>
    public static string SingleQuoted(string text) => $"'{text.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    /// <summary>A name fit for a shell function: anything but letters, digits and _ becomes _.</summary>
    public static string Identifier(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));

    /// <summary>One line of a description: the first line, without the trailing period help text has.</summary>
    public static string OneLine(string description) => description.Split('\n')[0].Trim().TrimEnd('.');
}
