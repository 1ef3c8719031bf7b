using System.Globalization;

namespace LightMesh.Core.Analysis;

/// <summary>
/// A success or failure condition over a measurement, e.g. <c>result &lt; 0.05</c> or <c>isNaN(result) or result &lt;= 250</c>.
/// A small, safe language: numbers, <c>result</c>, + - * /, comparisons, <c>and</c>/<c>or</c>/<c>not</c>,
/// <c>isNaN(...)</c> and parentheses; nothing that can call into code. For a vector result the condition must
/// hold for every element.
/// </summary>
public sealed class Condition
{
    private readonly Node _root;

    private Condition(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; on failure returns null and says why (with the position).</summary>
    public static Condition? TryParse(string text, out string? error)
    {
        try
        {
            var parser = new Parser(text);
            var root = parser.ParseAll();
            if (root.Type != ValueType.Boolean)
            {
                error = "must be a condition (a comparison, isNaN, and/or/not), not a number";
                return null;
            }

            error = null;
            return new Condition(text, root);
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>True when the condition holds for <paramref name="result"/>.</summary>
    public bool Evaluate(double result) => _root.Evaluate(result) != 0;

    /// <summary>True when the condition holds for every element of <paramref name="results"/> (which must not be empty).</summary>
    public bool EvaluateAll(IReadOnlyList<double> results) => results.Count > 0 && results.All(Evaluate);

    public override string ToString() => Text;

    private enum ValueType
    {
        Number,
        Boolean,
    }

    /// <summary>A node of the expression tree; booleans are 1 and 0.</summary>
    private sealed record Node(ValueType Type, Func<double, double> Evaluate);

    /// <summary>Recursive descent over the grammar in the class summary.</summary>
    private sealed class Parser(string text)
    {
        private int _at;

        public Node ParseAll()
        {
            var node = Or();
            Skip();
            if (_at < text.Length)
            {
                throw Error($"unexpected '{text[_at]}'");
            }

            return node;
        }

        private Node Or()
        {
            var left = And();
            while (Keyword("or"))
            {
                var (l, r) = (Bool(left, "or"), Bool(And(), "or"));
                left = new Node(ValueType.Boolean, x => l.Evaluate(x) != 0 || r.Evaluate(x) != 0 ? 1 : 0);
            }

            return left;
        }

        private Node And()
        {
            var left = Not();
            while (Keyword("and"))
            {
                var (l, r) = (Bool(left, "and"), Bool(Not(), "and"));
                left = new Node(ValueType.Boolean, x => l.Evaluate(x) != 0 && r.Evaluate(x) != 0 ? 1 : 0);
            }

            return left;
        }

        private Node Not()
        {
            if (Keyword("not"))
            {
                var operand = Bool(Not(), "not");
                return new Node(ValueType.Boolean, x => operand.Evaluate(x) == 0 ? 1 : 0);
            }

            return Comparison();
        }

        private Node Comparison()
        {
            var left = Sum();
            Skip();
            foreach (var op in new[] { "<=", ">=", "==", "!=", "<", ">" })
            {
                if (string.CompareOrdinal(text, _at, op, 0, op.Length) == 0)
                {
                    _at += op.Length;
                    var (l, r) = (Number(left, op), Number(Sum(), op));
                    Func<double, double, bool> compare = op switch
                    {
                        "<=" => (a, b) => a <= b,
                        ">=" => (a, b) => a >= b,
                        "==" => (a, b) => a == b,
                        "!=" => (a, b) => a != b,
                        "<" => (a, b) => a < b,
                        _ => (a, b) => a > b,
                    };
                    return new Node(ValueType.Boolean, x => compare(l.Evaluate(x), r.Evaluate(x)) ? 1 : 0);
                }
            }

            return left;
        }

        private Node Sum()
        {
            var left = Product();
            while (Symbol('+') || Symbol('-'))
            {
                var plus = text[_at - 1] == '+';
                var (l, r) = (Number(left, plus ? "+" : "-"), Number(Product(), plus ? "+" : "-"));
                left = plus ? new Node(ValueType.Number, x => l.Evaluate(x) + r.Evaluate(x)) : new Node(ValueType.Number, x => l.Evaluate(x) - r.Evaluate(x));
            }

            return left;
        }

        private Node Product()
        {
            var left = Primary();
            while (Symbol('*') || Symbol('/'))
            {
                var times = text[_at - 1] == '*';
                var (l, r) = (Number(left, times ? "*" : "/"), Number(Primary(), times ? "*" : "/"));
                left = times ? new Node(ValueType.Number, x => l.Evaluate(x) * r.Evaluate(x)) : new Node(ValueType.Number, x => l.Evaluate(x) / r.Evaluate(x));
            }

            return left;
        }

        private Node Primary()
        {
            Skip();
            if (Symbol('('))
            {
                var inner = Or();
                Expect(')');
                return inner;
            }

            if (Symbol('-'))
            {
                var operand = Number(Primary(), "-");
                return new Node(ValueType.Number, x => -operand.Evaluate(x));
            }

            if (Keyword("result"))
            {
                return new Node(ValueType.Number, x => x);
            }

            if (Keyword("isNaN"))
            {
                Expect('(');
                var operand = Number(Or(), "isNaN");
                Expect(')');
                return new Node(ValueType.Boolean, x => double.IsNaN(operand.Evaluate(x)) ? 1 : 0);
            }

            if (Keyword("true"))
            {
                return new Node(ValueType.Boolean, _ => 1);
            }

            if (Keyword("false"))
            {
                return new Node(ValueType.Boolean, _ => 0);
            }

            var start = _at;
            while (_at < text.Length && (char.IsAsciiDigit(text[_at]) || text[_at] == '.' || ((text[_at] is 'e' or 'E') && _at > start) || ((text[_at] is '+' or '-') && _at > start && text[_at - 1] is 'e' or 'E')))
            {
                _at++;
            }

            if (_at > start && double.TryParse(text.AsSpan(start, _at - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return new Node(ValueType.Number, _ => number);
            }

            _at = start;
            var word = new string(text.AsSpan(_at).ToArray().TakeWhile(char.IsAsciiLetterOrDigit).ToArray());
            throw Error(word.Length > 0 ? $"unknown name '{word}' (use result, isNaN, and, or, not, true, false)" : _at < text.Length ? $"unexpected '{text[_at]}'" : "unexpected end");
        }

        private static Node Bool(Node node, string op) =>
            node.Type == ValueType.Boolean ? node : throw new FormatException($"'{op}' needs conditions on both sides, not a number");

        private static Node Number(Node node, string op) =>
            node.Type == ValueType.Number ? node : throw new FormatException($"'{op}' needs numbers, not a condition");

        private bool Keyword(string word)
        {
            Skip();
            if (string.CompareOrdinal(text, _at, word, 0, word.Length) == 0
                && (_at + word.Length == text.Length || !char.IsAsciiLetterOrDigit(text[_at + word.Length])))
            {
                _at += word.Length;
                return true;
            }

            return false;
        }

        private bool Symbol(char symbol)
        {
            Skip();
            if (_at < text.Length && text[_at] == symbol && !(symbol is '<' or '>' or '=' or '!'))
            {
                _at++;
                return true;
            }

            return false;
        }

        private void Expect(char symbol)
        {
            if (!Symbol(symbol))
            {
                throw Error($"expected '{symbol}'");
            }
        }

        private void Skip()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }

        private FormatException Error(string message) => new($"{message} at position {_at + 1}");
    }
}
