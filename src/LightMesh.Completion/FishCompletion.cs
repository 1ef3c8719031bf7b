using System.Text;

namespace LightMesh.Completion;

/// <summary>
/// The fish completion script of a command tree: a function walks the words typed so far to the verb they name
/// (skipping options and their values), and each sub-verb and option is offered, with its description, at its verb.
/// </summary>
public static class FishCompletion
{
    public static string Script(CompletionVerb root)
    {
        var name = root.Name;
        var function = $"__{Shells.Identifier(name)}";
        var script = new StringBuilder();
        script.Append($$"""
            # fish completion for {{name}}, generated from its verbs by `{{name}} completion fish`.
            # Load it with: {{name}} completion fish | source

            function {{function}}_verbs --argument-names at
                switch "$at"

            """);
        Cases(script, root, v => v.Verbs.Select(c => c.Name));
        script.Append($$"""
                end
            end

            function {{function}}_value_options --argument-names at
                switch "$at"

            """);
        Cases(script, root, v => v.ValueOptionNames);
        script.Append($$"""
                end
            end

            # The verbs the words before the cursor name, space-separated ("release status").
            function {{function}}_at
                set -l words (commandline -opc)
                set -e words[1]
                set -l at ''
                set -l skip 0
                for word in $words
                    if test $skip = 1
                        set skip 0
                    else if string match -q -- '-*' $word
                        if not string match -q -- '*=*' $word; and contains -- $word ({{function}}_value_options "$at")
                            set skip 1
                        end
                    else if contains -- $word ({{function}}_verbs "$at")
                        set at (string trim -- "$at $word")
                    end
                end
                echo $at
            end

            function {{function}}_is --argument-names wanted
                set -l at ({{function}}_at)
                test "$at" = "$wanted"
            end

            complete -c {{name}} -e

            """);
        foreach (var verb in root.All())
        {
            var at = $"-n {Quoted($"{function}_is {Quoted(verb.Path)}")}";
            foreach (var sub in verb.Verbs)
            {
                script.Append($"complete -c {name} -f {at} -a {Quoted(sub.Name)} -d {Quoted(Shells.OneLine(sub.Description))}\n");
            }

            foreach (var option in verb.Options)
            {
                var names = (option.ShortName is { } s ? $" -s {Quoted(s)}" : "") + (option.LongName is { } l ? $" -l {Quoted(l)}" : "");
                script.Append($"complete -c {name} {at}{names}{(option.TakesValue ? " -r" : "")} -d {Quoted(Shells.OneLine(option.Description))}\n");
            }
        }

        return script.ToString();
    }

    // Each case prints its words, one a line, for contains and command substitution.
    private static void Cases(StringBuilder script, CompletionVerb root, Func<CompletionVerb, IEnumerable<string>> words)
    {
        foreach (var verb in root.All().Where(v => words(v).Any()))
        {
            script.Append($"        case {Quoted(verb.Path)}\n            printf '%s\\n' {string.Join(' ', words(verb).Select(Quoted))}\n");
        }
    }

    // Fish's single quotes: only \ and ' are escaped inside.
    private static string Quoted(string text) => $"'{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'";
}
