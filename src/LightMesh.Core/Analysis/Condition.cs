using System.Text;

namespace LightMesh.Core.Analysis;

/// <summary>
/// A success or failure condition over a measurement, e.g. <c>result &lt; 0.05</c>, <c>isNaN(result) or result &lt;= 250</c>
/// or <c>result &lt; {{max-error-rate}}</c>. A small, safe language: numbers, <c>result</c>, + - * /, comparisons,
/// <c>and</c>/<c>or</c>/<c>not</c>, <c>isNaN(...)</c>, parentheses and arguments by name; nothing that can call into code.
/// It is parsed once from the template's text, arguments included: an argument is a value bound to its place
/// (<see cref="Bind(IReadOnlyDictionary{string, string}, out IReadOnlyList{ArgumentProblem})"/>), never text that is parsed, so no argument can change what the condition says.
/// </summary>
public sealed class Condition
{
    /// <summary>The longest condition accepted, in characters.</summary>
    public const int MaxLength = 1024;

    /// <summary>How deep parentheses, <c>not</c>, unary minus and <c>isNaN</c> may nest.</summary>
    public const int MaxDepth = 32;

    private static readonly IReadOnlyDictionary<string, string> NoValues = new Dictionary<string, string>();

    private readonly ConditionNode _root;
    private readonly IReadOnlyList<ConditionPlaceholder> _placeholders;

    private Condition(string text, ConditionNode root, IReadOnlyList<ConditionArgument> arguments, IReadOnlyList<ConditionPlaceholder> placeholders)
    {
        Text = text;
        _root = root;
        Arguments = arguments;
        _placeholders = placeholders;
    }

    public string Text { get; }

    /// <summary>The arguments the condition refers to, each once, with the type its place gives it.</summary>
    public IReadOnlyList<ConditionArgument> Arguments { get; }

    /// <summary>Parses <paramref name="text"/>; on failure returns null and says why (with the position). Never throws.</summary>
    public static Condition? TryParse(string text, out string? error)
    {
        if (text.Length > MaxLength)
        {
            error = $"is {text.Length} characters long; a condition may be at most {MaxLength}";
            return null;
        }

        try
        {
            var parser = new ConditionParser(text);
            var root = parser.ParseAll();
            error = null;
            return new Condition(text, root, parser.Arguments, parser.Placeholders);
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>
    /// Binds every argument to its value read as a literal of its type (<see cref="ConditionLiteral"/>); returns null and
    /// every problem, each naming its argument, when one has no value or a value that is not such a literal.
    /// </summary>
    public BoundCondition? Bind(IReadOnlyDictionary<string, string> values, out IReadOnlyList<ArgumentProblem> problems)
    {
        var found = new List<ArgumentProblem>();
        var bound = new double[Arguments.Count];
        for (var slot = 0; slot < Arguments.Count; slot++)
        {
            var argument = Arguments[slot];
            if (!values.TryGetValue(argument.Name, out var value))
            {
                found.Add(new ArgumentProblem(argument.Name, "has no value"));
            }
            else if (!ConditionLiteral.TryRead(value, argument.Type, out bound[slot]))
            {
                found.Add(new ArgumentProblem(argument.Name, $"{ConditionLiteral.Refusal(value, argument.Type)}, which this condition needs"));
            }
        }

        problems = found;
        return found.Count > 0 ? null : new BoundCondition(_root, bound, Show(values));
    }

    /// <summary>Binds a condition that has no arguments; null when it has some.</summary>
    public BoundCondition? Bind() => Bind(NoValues, out _);

    public override string ToString() => Text;

    /// <summary>The text with each argument shown by its value, for messages only: it is never parsed again.</summary>
    private string Show(IReadOnlyDictionary<string, string> values)
    {
        var shown = new StringBuilder();
        var at = 0;
        foreach (var placeholder in _placeholders)
        {
            shown.Append(Text, at, placeholder.Start - at).Append(values[Arguments[placeholder.Slot].Name]);
            at = placeholder.Start + placeholder.Length;
        }

        return shown.Append(Text, at, Text.Length - at).ToString();
    }
}
