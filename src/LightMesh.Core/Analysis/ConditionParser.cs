using System.Globalization;

namespace LightMesh.Core.Analysis;

/// <summary>
/// Recursive descent over the grammar in <see cref="Condition"/>'s summary. An argument (<c>{{name}}</c>) is a node of
/// its own, typed by its place; its value is bound later, so no value is ever read as part of the grammar. Nesting
/// (parentheses, <c>not</c>, unary minus, <c>isNaN</c>) is bounded by <see cref="Condition.MaxDepth"/>, so no input can
/// exhaust the stack. Errors are <see cref="FormatException"/>s caught by <see cref="Condition.TryParse"/>.
/// </summary>
internal sealed class ConditionParser(string text)
{
    private static readonly string[] Comparisons = ["<=", ">=", "==", "!=", "<", ">"];

    private readonly List<string> _names = [];
    private readonly List<ConditionValueType?> _types = [];
    private readonly List<ConditionPlaceholder> _placeholders = [];
    private int _at;
    private int _depth;

    public IReadOnlyList<ConditionArgument> Arguments => _names.Select((n, i) => new ConditionArgument(n, _types[i] ?? ConditionValueType.Boolean)).ToList();

    public IReadOnlyList<ConditionPlaceholder> Placeholders => _placeholders;

    public ConditionNode ParseAll()
    {
        var node = Bool(Or(), "the condition");
        Skip();
        if (_at < text.Length)
        {
            throw Error($"unexpected {Shown(text[_at])}");
        }

        return node;
    }

    private ConditionNode Or()
    {
        var left = And();
        while (Keyword("or"))
        {
            var (l, r) = (Bool(left, "or"), Bool(And(), "or"));
            left = new ConditionNode(ConditionValueType.Boolean, (x, a) => l.Evaluate(x, a) != 0 || r.Evaluate(x, a) != 0 ? 1 : 0);
        }

        return left;
    }

    private ConditionNode And()
    {
        var left = Not();
        while (Keyword("and"))
        {
            var (l, r) = (Bool(left, "and"), Bool(Not(), "and"));
            left = new ConditionNode(ConditionValueType.Boolean, (x, a) => l.Evaluate(x, a) != 0 && r.Evaluate(x, a) != 0 ? 1 : 0);
        }

        return left;
    }

    private ConditionNode Not()
    {
        if (!Keyword("not"))
        {
            return Comparison();
        }

        Enter();
        var operand = Bool(Not(), "not");
        _depth--;
        return new ConditionNode(ConditionValueType.Boolean, (x, a) => operand.Evaluate(x, a) == 0 ? 1 : 0);
    }

    private ConditionNode Comparison()
    {
        var left = Sum();
        Skip();
        foreach (var op in Comparisons)
        {
            if (string.CompareOrdinal(text, _at, op, 0, op.Length) != 0)
            {
                continue;
            }

            _at += op.Length;
            var (l, r) = (Number(left, op), Number(Sum(), op));
            Func<double, double, bool> compare = op switch
            {
                "<=" => (p, q) => p <= q,
                ">=" => (p, q) => p >= q,
                "==" => (p, q) => p == q,
                "!=" => (p, q) => p != q,
                "<" => (p, q) => p < q,
                _ => (p, q) => p > q,
            };
            return new ConditionNode(ConditionValueType.Boolean, (x, a) => compare(l.Evaluate(x, a), r.Evaluate(x, a)) ? 1 : 0);
        }

        return left;
    }

    private ConditionNode Sum()
    {
        var left = Product();
        while (Symbol('+') || Symbol('-'))
        {
            var plus = text[_at - 1] == '+';
            var op = plus ? "+" : "-";
            var (l, r) = (Number(left, op), Number(Product(), op));
            left = plus
                ? new ConditionNode(ConditionValueType.Number, (x, a) => l.Evaluate(x, a) + r.Evaluate(x, a))
                : new ConditionNode(ConditionValueType.Number, (x, a) => l.Evaluate(x, a) - r.Evaluate(x, a));
        }

        return left;
    }

    private ConditionNode Product()
    {
        var left = Primary();
        while (Symbol('*') || Symbol('/'))
        {
            var times = text[_at - 1] == '*';
            var op = times ? "*" : "/";
            var (l, r) = (Number(left, op), Number(Primary(), op));
            left = times
                ? new ConditionNode(ConditionValueType.Number, (x, a) => l.Evaluate(x, a) * r.Evaluate(x, a))
                : new ConditionNode(ConditionValueType.Number, (x, a) => l.Evaluate(x, a) / r.Evaluate(x, a));
        }

        return left;
    }

    private ConditionNode Primary()
    {
        Skip();
        if (Symbol('('))
        {
            Enter();
            var inner = Or();
            Expect(')');
            _depth--;
            return inner;
        }

        if (Symbol('-'))
        {
            Enter();
            var operand = Number(Primary(), "-");
            _depth--;
            return new ConditionNode(ConditionValueType.Number, (x, a) => -operand.Evaluate(x, a));
        }

        if (string.CompareOrdinal(text, _at, "{{", 0, 2) == 0)
        {
            return Argument();
        }

        if (Keyword("result"))
        {
            return new ConditionNode(ConditionValueType.Number, (x, _) => x);
        }

        if (Keyword("isNaN"))
        {
            Enter();
            Expect('(');
            var operand = Number(Or(), "isNaN");
            Expect(')');
            _depth--;
            return new ConditionNode(ConditionValueType.Boolean, (x, a) => double.IsNaN(operand.Evaluate(x, a)) ? 1 : 0);
        }

        if (Keyword("true"))
        {
            return new ConditionNode(ConditionValueType.Boolean, (_, _) => 1);
        }

        if (Keyword("false"))
        {
            return new ConditionNode(ConditionValueType.Boolean, (_, _) => 0);
        }

        return NumberLiteral();
    }

    private ConditionNode NumberLiteral()
    {
        var start = _at;
        while (_at < text.Length && (char.IsAsciiDigit(text[_at]) || text[_at] == '.'
            || (text[_at] is 'e' or 'E' && _at > start)
            || (text[_at] is '+' or '-' && _at > start && text[_at - 1] is 'e' or 'E')))
        {
            _at++;
        }

        if (_at > start && double.TryParse(text.AsSpan(start, _at - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return new ConditionNode(ConditionValueType.Number, (_, _) => number);
        }

        _at = start;
        var end = start;
        while (end < text.Length && end - start < 40 && char.IsAsciiLetterOrDigit(text[end]))
        {
            end++;
        }

        throw Error(end > start ? $"unknown name '{text[start..end]}' (use result, isNaN, and, or, not, true, false, or an argument as {{{{name}}}})"
            : _at < text.Length ? $"unexpected {Shown(text[_at])}" : "unexpected end");
    }

    /// <summary><c>{{name}}</c>, spaces allowed inside the braces; the name as in <see cref="AnalysisArguments"/>.</summary>
    private ConditionNode Argument()
    {
        var start = _at;
        _at += 2;
        Skip();
        var nameStart = _at;
        if (_at < text.Length && char.IsAsciiLetter(text[_at]))
        {
            while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] is '_' or '-'))
            {
                _at++;
            }
        }

        if (_at == nameStart)
        {
            throw Error("expected an argument name (a letter, then letters, digits, '_' or '-') after '{{'");
        }

        var name = text[nameStart.._at];
        Skip();
        if (string.CompareOrdinal(text, _at, "}}", 0, 2) != 0)
        {
            throw Error($"expected '}}}}' to close the argument {name}");
        }

        _at += 2;
        var slot = _names.IndexOf(name);
        if (slot < 0)
        {
            slot = _names.Count;
            _names.Add(name);
            _types.Add(null);
        }

        _placeholders.Add(new ConditionPlaceholder(start, _at - start, slot));
        return new ConditionNode(null, (_, a) => a[slot], slot);
    }

    private ConditionNode Bool(ConditionNode node, string op) => node.Type switch
    {
        ConditionValueType.Boolean => node,
        null => Place(node, ConditionValueType.Boolean),
        _ => throw Error(op == "the condition"
            ? "must be a condition (a comparison, isNaN, and/or/not), not a number"
            : $"'{op}' needs conditions on both sides, not a number"),
    };

    private ConditionNode Number(ConditionNode node, string op) => node.Type switch
    {
        ConditionValueType.Number => node,
        null => Place(node, ConditionValueType.Number),
        _ => throw Error($"'{op}' needs numbers, not a condition"),
    };

    /// <summary>Gives an argument the type of its place; one argument has one type in a condition.</summary>
    private ConditionNode Place(ConditionNode node, ConditionValueType type)
    {
        if (_types[node.Slot] is { } earlier && earlier != type)
        {
            throw Error($"argument {_names[node.Slot]} is used both as a number and as a condition");
        }

        _types[node.Slot] = type;
        return node with { Type = type };
    }

    private void Enter()
    {
        if (++_depth > Condition.MaxDepth)
        {
            throw Error($"nested more than {Condition.MaxDepth} deep (parentheses, not, unary minus and isNaN)");
        }
    }

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
        if (_at < text.Length && text[_at] == symbol)
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

    /// <summary>A character as an error shows it: quoted, or as <c>U+XXXX</c> when it is a control character or half a pair.</summary>
    private static string Shown(char c) => char.IsControl(c) || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}'";
}
