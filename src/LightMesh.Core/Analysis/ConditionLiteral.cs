using System.Globalization;
using System.Text.RegularExpressions;

namespace LightMesh.Core.Analysis;

/// <summary>
/// Reads an argument's value as a literal of the condition language, never as an expression: a number is an optional
/// <c>-</c>, digits with an optional point, and an optional exponent (<c>0.05</c>, <c>-2</c>, <c>1e-3</c>), finite;
/// a condition is <c>true</c> or <c>false</c>. Anything else (<c>0.02 or true</c>, <c>NaN</c>, <c>(1)</c>) is refused.
/// </summary>
public static partial class ConditionLiteral
{
    [GeneratedRegex(@"\A-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex NumberLiteral();

    /// <summary>The value of <paramref name="text"/> as a <paramref name="type"/> (booleans are 1 and 0), or false when it is not one.</summary>
    public static bool TryRead(string text, ConditionValueType type, out double value)
    {
        value = 0;
        switch (type)
        {
            case ConditionValueType.Boolean when text is "true" or "false":
                value = text == "true" ? 1 : 0;
                return true;
            case ConditionValueType.Number when NumberLiteral().IsMatch(text)
                && double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number)
                && double.IsFinite(number):
                value = number;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Why <paramref name="text"/> is not a <paramref name="type"/>, showing the value safely.</summary>
    public static string Refusal(string text, ConditionValueType type) => type == ConditionValueType.Number
        ? $"{AnalysisArguments.Show(text)} is not a number (a number is written like 0.05, -2 or 1e-3)"
        : $"{AnalysisArguments.Show(text)} is not true or false";
}
