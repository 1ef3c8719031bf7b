using LightMesh.Core.Analysis;

namespace LightMesh.Core.Tests.Analysis;

public sealed class ConditionTests
{
    private static BoundCondition Bound(string text, params (string Name, string Value)[] args)
    {
        var condition = Condition.TryParse(text, out var error);
        Assert.True(condition is not null, error);
        var bound = condition.Bind(args.ToDictionary(a => a.Name, a => a.Value), out var problems);
        Assert.True(bound is not null, string.Join("; ", problems));
        return bound;
    }

    private static IReadOnlyList<ArgumentProblem> Refused(string text, params (string Name, string Value)[] args)
    {
        var condition = Condition.TryParse(text, out var error);
        Assert.True(condition is not null, error);
        Assert.Null(condition.Bind(args.ToDictionary(a => a.Name, a => a.Value), out var problems));
        return problems;
    }

    [Theory]
    [InlineData("result < 0.05", 0.01, true)]
    [InlineData("result < 0.05", 0.05, false)]
    [InlineData("result <= 250 and result >= 0", 250, true)]
    [InlineData("not (result > 1)", 0.5, true)]
    [InlineData("isNaN(result) or result < 1", double.NaN, true)]
    [InlineData("result < 1", double.NaN, false)]
    [InlineData("result * 100 >= 99.5", 0.996, true)]
    [InlineData("result - 1 == -0.5", 0.5, true)]
    [InlineData("result != 0 and 1e-3 < result", 0.01, true)]
    [InlineData("true", 7, true)]
    public void Evaluate_KnownConditions_GiveTheExpectedAnswer(string text, double result, bool expected) =>
        Assert.Equal(expected, Bound(text).Evaluate(result));

    [Theory]
    [InlineData("result <", "unexpected end")]
    [InlineData("result < 0.05 and", "unexpected end")]
    [InlineData("result + 1", "must be a condition")]
    [InlineData("result < 1 + (result > 2)", "needs numbers")]
    [InlineData("system(\"rm\")", "unknown name 'system'")]
    [InlineData("result < 0.05)", "unexpected ')'")]
    [InlineData("result and 1", "needs conditions")]
    [InlineData("result < {{max", "expected '}}' to close the argument max at position 15")]
    [InlineData("result < {{}}", "expected an argument name")]
    [InlineData("result < {{1x}}", "expected an argument name")]
    [InlineData("{{x}} and result < {{x}}", "argument x is used both as a number and as a condition")]
    [InlineData("result < 1\u0000", "unexpected U+0000 at position 11")]
    public void TryParse_BadConditions_SayWhatAndWhere(string text, string fragment)
    {
        Assert.Null(Condition.TryParse(text, out var error));
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateAll_Vector_MustHoldForEveryElementAndIsFalseWhenEmpty()
    {
        var condition = Bound("result < 0.05");

        Assert.True(condition.EvaluateAll([0.01, 0.02]));
        Assert.False(condition.EvaluateAll([0.01, 0.2]));
        Assert.False(condition.EvaluateAll([]));
    }

    [Fact]
    public void Bind_ArgumentThatIsAnExpression_IsRefusedNamingIt_SoARegressedCanaryCannotPass()
    {
        // Substituted as text, "0.02 or true" turned the condition into "result < 0.02 or true", which 0.107 met.
        var problem = Assert.Single(Refused("result < {{max-error-rate}}", ("max-error-rate", "0.02 or true")));

        Assert.Equal("max-error-rate", problem.Name);
        Assert.StartsWith("\"0.02 or true\" is not a number", problem.Message, StringComparison.Ordinal);
        Assert.False(Bound("result < {{max-error-rate}}", ("max-error-rate", "0.02")).Evaluate(0.107));
    }

    [Theory]
    [InlineData("0.05", 0.049, true)]
    [InlineData("-2", -3, true)]
    [InlineData("1e-3", 0.0005, true)]
    [InlineData(".5", 0.4, true)]
    [InlineData("7.", 7, false)]
    [InlineData("2E+2", 199, true)]
    public void Bind_NumberLiterals_AreTheirValue(string value, double result, bool expected) =>
        Assert.Equal(expected, Bound("result < {{limit}}", ("limit", value)).Evaluate(result));

    [Theory]
    [InlineData("0.02 or true")]
    [InlineData("(0.02)")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e999")]
    [InlineData(" 0.05")]
    [InlineData("0.05\n")]
    [InlineData("0x10")]
    [InlineData("5%")]
    [InlineData("1,000")]
    [InlineData("+1")]
    [InlineData("true")]
    [InlineData("")]
    [InlineData("{{limit}}")]
    public void Bind_NotANumberLiteral_IsRefusedWhereANumberGoes(string value)
    {
        var problem = Assert.Single(Refused("result < {{limit}}", ("limit", value)));

        Assert.Equal(("limit", true), (problem.Name, problem.Message.Contains("is not a number", StringComparison.Ordinal)));
    }

    [Fact]
    public void Bind_ArgumentsTakeTheTypeOfTheirPlace()
    {
        var condition = Condition.TryParse("{{gate}} and (isNaN(result) or result <= {{max}} * 2) or not ({{off}})", out _)!;

        Assert.Equal(
            [new ConditionArgument("gate", ConditionValueType.Boolean), new ConditionArgument("max", ConditionValueType.Number), new ConditionArgument("off", ConditionValueType.Boolean)],
            condition.Arguments);
        var bound = Bound(condition.Text, ("gate", "true"), ("max", "0.1"), ("off", "false"));
        Assert.True(bound.Evaluate(0.2));
        Assert.Equal("true and (isNaN(result) or result <= 0.1 * 2) or not (false)", bound.Text);
        Assert.Contains("is not true or false", Assert.Single(Refused(condition.Text, ("gate", "1"), ("max", "0.1"), ("off", "false"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_MissingValues_AreEachNamed() =>
        Assert.Equal(["a", "b"], Refused("result < {{a}} or result > {{ b }}").Select(p => p.Name));

    [Fact]
    public void TryParse_ThirtyThousandNestedParentheses_IsRefusedForItsLength_NotAStackOverflow()
    {
        var text = new string('(', 30_000) + "result < 1" + new string(')', 30_000);

        Assert.Null(Condition.TryParse(text, out var error));
        Assert.Equal($"is {text.Length} characters long; a condition may be at most {Condition.MaxLength}", error);
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("not ", "")]
    [InlineData("-", "")]
    public void TryParse_NestingPastTheLimit_IsRefusedSayingWhere(string open, string close)
    {
        static string Nested(string open, string close, int depth) =>
            string.Concat(Enumerable.Repeat(open, depth)) + "result < 1" + string.Concat(Enumerable.Repeat(close, depth));

        Assert.NotNull(Condition.TryParse(Nested(open, close, Condition.MaxDepth), out var fine));
        Assert.Null(fine);
        Assert.Null(Condition.TryParse(Nested(open, close, Condition.MaxDepth + 1), out var error));
        Assert.Contains($"nested more than {Condition.MaxDepth} deep", error, StringComparison.Ordinal);
    }
}
