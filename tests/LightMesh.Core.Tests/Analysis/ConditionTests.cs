using LightMesh.Core.Analysis;

namespace LightMesh.Core.Tests.Analysis;

public sealed class ConditionTests
{
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
    public void Evaluate_KnownConditions_GiveTheExpectedAnswer(string text, double result, bool expected)
    {
        var condition = Condition.TryParse(text, out var error);

        Assert.Null(error);
        Assert.Equal(expected, condition!.Evaluate(result));
    }

    [Theory]
    [InlineData("result <", "unexpected end")]
    [InlineData("result < 0.05 and", "unexpected end")]
    [InlineData("result + 1", "must be a condition")]
    [InlineData("result < 1 + (result > 2)", "needs numbers")]
    [InlineData("system(\"rm\")", "unknown name 'system'")]
    [InlineData("result < 0.05)", "unexpected ')'")]
    [InlineData("result and 1", "needs conditions")]
    public void TryParse_BadConditions_SayWhatAndWhere(string text, string fragment)
    {
        Assert.Null(Condition.TryParse(text, out var error));
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateAll_Vector_MustHoldForEveryElementAndIsFalseWhenEmpty()
    {
        var condition = Condition.TryParse("result < 0.05", out _)!;

        Assert.True(condition.EvaluateAll([0.01, 0.02]));
        Assert.False(condition.EvaluateAll([0.01, 0.2]));
        Assert.False(condition.EvaluateAll([]));
    }
}
