using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LightMesh.Cli.Tests.Readme;

/// <summary>One command of a README block, with what its comment promises: the texts it prints and its exit code.</summary>
/// <param name="Section">The README heading the block is under.</param>
/// <param name="Text">The command as written (continuation lines joined), comment included.</param>
public sealed record ReadmeCommand(string Section, int Line, string Text, IReadOnlyList<string> Prints, int Exits)
{
    /// <summary>Ends with <c>&amp;</c>: it runs on in the background and has no exit code to check.</summary>
    public bool Background => ReadmeScript.WithoutComment(Text).TrimEnd().EndsWith('&');

    public override string ToString() => $"README.md:{Line} ({Section}): {Text}";
}

/// <summary>
/// The shell blocks of the README marked <c>&lt;!-- README test</c>, in order, command by command. A command's comment
/// may say what it prints (<c>prints "TEXT"</c>, any number of times) and how it exits (<c>exits N</c>, else 0).
/// </summary>
public static partial class ReadmeScript
{
    public const string Marker = "<!-- README test";

    public static IReadOnlyList<ReadmeCommand> Parse(string readme)
    {
        var lines = readme.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var commands = new List<ReadmeCommand>();
        var section = "";
        var inFence = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && lines[i].StartsWith('#'))
            {
                section = lines[i].TrimStart('#').Trim();
            }

            if (!lines[i].StartsWith(Marker, StringComparison.Ordinal))
            {
                continue;
            }

            if (i + 1 >= lines.Length || lines[i + 1] != "```sh")
            {
                throw new FormatException($"README.md:{i + 1}: a README test marker must be followed by a ```sh block");
            }

            // The block's lines up to its closing fence; a line ending in a backslash goes on on the next.
            var text = new StringBuilder();
            var start = 0;
            var j = i + 2;
            for (; j < lines.Length && lines[j] != "```"; j++)
            {
                if (text.Length == 0 && string.IsNullOrWhiteSpace(lines[j]))
                {
                    continue;
                }

                start = text.Length == 0 ? j + 1 : start;
                text.Append(lines[j]);
                if (lines[j].EndsWith('\\'))
                {
                    text.Append('\n');
                    continue;
                }

                commands.Add(Command(section, start, text.ToString()));
                text.Clear();
            }

            i = j;
        }

        return commands;
    }

    /// <summary>The command without its comment: up to the first <c>#</c> outside quotes that starts a word.</summary>
    public static string WithoutComment(string command) => command[..CommentStart(command)];

    private static ReadmeCommand Command(string section, int line, string text)
    {
        var comment = text[CommentStart(text)..];
        var prints = PrintsPattern().Matches(comment).Select(m => m.Groups[1].Value).ToList();
        var exits = ExitsPattern().Match(comment) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new ReadmeCommand(section, line, text, prints, exits);
    }

    private static int CommentStart(string command)
    {
        char? quote = null;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote is not null)
            {
                quote = c == quote ? null : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(command[i - 1])))
            {
                return i;
            }
        }

        return command.Length;
    }

    [GeneratedRegex("prints \"([^\"]+)\"")]
    private static partial Regex PrintsPattern();

    [GeneratedRegex(@"\bexits (\d+)\b")]
    private static partial Regex ExitsPattern();
}
