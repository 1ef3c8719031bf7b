using System.Text;

namespace LightMesh.Completion;

/// <summary>
/// The zsh completion script of a command tree: the same walk as bash's (to the verb the words name, skipping options
/// and their values), offering sub-verbs and options with their descriptions; file names where it offers nothing.
/// </summary>
public static class ZshCompletion
{
    public static string Script(CompletionVerb root)
    {
        var name = root.Name;
        var function = $"_{Shells.Identifier(name)}";
        var script = new StringBuilder();
        script.Append($$"""
            #compdef {{name}}
            # zsh completion for {{name}}, generated from its verbs by `{{name}} completion zsh`.
            # Load it with: source <({{name}} completion zsh)   (after compinit)

            {{function}}_verbs() {
                case "$1" in

            """);
        Cases(script, root, v => v.Verbs.Select(c => Described(c.Name, c.Description)));
        script.Append($$"""
                esac
            }

            {{function}}_options() {
                case "$1" in

            """);
        Cases(script, root, v => v.Options.SelectMany(o => o.Names.Select(n => Described(n, o.Description))));
        script.Append($$"""
                esac
            }

            {{function}}_value_options() {
                case "$1" in

            """);
        Cases(script, root, v => v.ValueOptionNames);
        script.Append($$"""
                esac
            }

            # The verbs typed so far are kept in at, not path: zsh ties path to PATH.
            {{function}}() {
                local at='' word i=2
                local -a reply
                while (( i < CURRENT )); do
                    word=${words[i]}
                    (( i++ ))
                    if [[ $word == -* ]]; then
                        {{function}}_value_options "$at"
                        [[ $word != *=* && ${reply[(Ie)$word]} -gt 0 ]] && (( i++ ))
                    else
                        {{function}}_verbs "$at"
                        [[ -n ${reply[(r)${(b)word}:*]} ]] && at=${at:+$at }$word
                    fi
                done
                # Past the current word: it is the value of the option before it.
                if (( i > CURRENT )); then
                    _files
                elif [[ ${words[CURRENT]} == -* ]]; then
                    {{function}}_options "$at"
                    _describe -t options 'option' reply
                else
                    {{function}}_verbs "$at"
                    if (( ${#reply} )); then
                        _describe -t commands 'verb' reply
                    else
                        _files
                    fi
                fi
            }

            compdef {{function}} {{name}}

            """);
        return script.ToString();
    }

    // Each case sets the array reply to its words.
    private static void Cases(StringBuilder script, CompletionVerb root, Func<CompletionVerb, IEnumerable<string>> words)
    {
        foreach (var verb in root.All().Where(v => words(v).Any()))
        {
            script.Append($"        {Shells.SingleQuoted(verb.Path)}) reply=({string.Join(' ', words(verb).Select(Shells.SingleQuoted))}) ;;\n");
        }

        script.Append("        *) reply=() ;;\n");
    }

    // _describe takes NAME:DESCRIPTION, a colon in the name escaped.
    private static string Described(string name, string description) => $"{name.Replace(":", "\\:", StringComparison.Ordinal)}:{Shells.OneLine(description)}";
}
