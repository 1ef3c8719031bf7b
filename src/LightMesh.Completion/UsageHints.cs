using System.Text.RegularExpressions;

namespace LightMesh.Completion;

/// <summary>
/// The next step for a command line the parser refused: the known option or verb nearest to the one it did not know
/// (<c>--rout</c> → <c>--route</c>, <c>relase</c> → <c>release</c>), read from the same verbs and options as completion.
/// </summary>
public static partial class UsageHints
{
    /// <summary>" Did you mean --route? (lightmesh weights --help lists every option)"; null for a refusal of another kind.</summary>
    public static string? For(CompletionVerb root, IReadOnlyList<string> args, string refusal)
    {
        var verb = VerbOf(root, args);
        var help = verb.Path.Length == 0 ? $"{root.Name} --help" : $"{root.Name} {verb.Path} --help";
        if (UnknownOption().Match(refusal) is { Success: true } option)
        {
            var names = verb.Options.SelectMany(o => o.Names).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Select(n => n[2..]);
            var nearest = Nearest(option.Groups[1].Value, names);
            return $"{(nearest is null ? "" : $" Did you mean --{nearest}?")} ({help} lists every option)";
        }

        if (UnknownCommand().Match(refusal) is { Success: true } command)
        {
            var nearest = Nearest(command.Groups[1].Value, verb.Verbs.Select(v => v.Name));
            return $"{(nearest is null ? "" : $" Did you mean {nearest}?")} ({help} lists every verb)";
        }

        return null;
    }

    /// <summary>The verb the arguments name: the longest run of leading words that are verbs.</summary>
    private static CompletionVerb VerbOf(CompletionVerb root, IReadOnlyList<string> args)
    {
        var verb = root;
        foreach (var arg in args)
        {
            if (verb.Verbs.FirstOrDefault(v => v.Name == arg) is not { } next)
            {
                break;
            }

            verb = next;
        }

        return verb;
    }

    /// <summary>The known name fewest edits away from <paramref name="given"/>, if it is close enough to be a slip.</summary>
    public static string? Nearest(string given, IEnumerable<string> known) =>
        known.Select(name => (Name: name, Distance: Distance(given.ToLowerInvariant(), name.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(1, given.Length / 3))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    [GeneratedRegex("^Unknown option '([^']+)'")]
    private static partial Regex UnknownOption();

    [GeneratedRegex("^Unknown command '([^']+)'")]
    private static partial Regex UnknownCommand();
}
