using System.Text;

namespace LightMesh.Completion;

/// <summary>
/// The bash completion script of a command tree. It walks the words typed so far to the verb they name (skipping
/// options and the values that follow them), then offers that verb's sub-verbs, or its options after a <c>-</c>; where
/// it offers nothing (an option's value, an argument), bash completes file names.
/// </summary>
public static class BashCompletion
{
    public static string Script(CompletionVerb root)
    {
        var name = root.Name;
        var function = $"_{Shells.Identifier(name)}";
        var script = new StringBuilder();
        script.Append($$"""
            # bash completion for {{name}}, generated from its verbs by `{{name}} completion bash`.
            # Load it with: source <({{name}} completion bash)

            {{function}}_verbs() {
                case "$1" in

            """);
        Cases(script, root, v => v.Verbs.Select(c => c.Name));
        script.Append($$"""
                esac
            }

            {{function}}_options() {
                case "$1" in

            """);
        Cases(script, root, v => v.Options.SelectMany(o => o.Names));
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

            {{function}}() {
                local cur=${COMP_WORDS[COMP_CWORD]} at='' word REPLY i=1
                COMPREPLY=()
                while ((i < COMP_CWORD)); do
                    word=${COMP_WORDS[i]}
                    i=$((i + 1))
                    if [[ $word == -* ]]; then
                        {{function}}_value_options "$at"
                        [[ $word != *=* && " $REPLY " == *" $word "* ]] && i=$((i + 1))
                    else
                        {{function}}_verbs "$at"
                        [[ " $REPLY " == *" $word "* ]] && at=${at:+$at }$word
                    fi
                done
                # Past the current word: it is the value of the option before it.
                ((i > COMP_CWORD)) && return 0
                if [[ $cur == -* ]]; then
                    {{function}}_options "$at"
                else
                    {{function}}_verbs "$at"
                fi
                COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
            }

            complete -o default -F {{function}} {{name}}

            """);
        return script.ToString();
    }

    private static void Cases(StringBuilder script, CompletionVerb root, Func<CompletionVerb, IEnumerable<string>> words)
    {
        foreach (var verb in root.All().Where(v => words(v).Any()))
        {
            script.Append($"        {Shells.SingleQuoted(verb.Path)}) REPLY={Shells.SingleQuoted(string.Join(' ', words(verb)))} ;;\n");
        }

        script.Append("        *) REPLY='' ;;\n");
    }
}
