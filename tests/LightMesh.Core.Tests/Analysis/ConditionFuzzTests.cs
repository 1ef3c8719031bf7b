using System.Globalization;
using CsCheck;
using LightMesh.Core.Analysis;

namespace LightMesh.Core.Tests.Analysis;

/// <summary>
/// A fuzz run of the condition language: conditions made from its grammar, then mutated (characters and tokens
/// inserted, cut, doubled, deeply nested, repeated past the length limit), with random and hostile argument values.
/// Parsing, binding, evaluating and checking never throw, and an argument stays a value. Bounded to seconds in the
/// suite; <c>LIGHTMESH_FUZZ_LONG=1</c> runs a hundred times as many cases (a quarter of an hour or so). A failing case prints its seed
/// (<c>Set seed: "..."</c>); <c>LIGHTMESH_FUZZ_SEED=SEED</c> replays it.
/// </summary>
public sealed class ConditionFuzzTests
{
    private static readonly bool Long = Environment.GetEnvironmentVariable("LIGHTMESH_FUZZ_LONG") == "1";
    private static readonly string? Seed = Environment.GetEnvironmentVariable("LIGHTMESH_FUZZ_SEED") is { Length: > 0 } seed ? seed : null;
    // A seed given names one case: it alone is run again.
    private static readonly long Iterations = Seed is not null ? 1 : Long ? 5_000_000 : 50_000;

    private static readonly string[] Names = ["a", "b", "max-error-rate", "gate"];

    private static readonly string[] Tokens =
    [
        "result", "isNaN(", "(", ")", " and ", " or ", "not ", "true", "false", "<", "<=", ">", ">=", "==", "!=", "+", "-", "*", "/",
        "0.05", "1e-3", "-2", ".5", "1e", "1e+", "1.2.3", "{{a}}", "{{ b }}", "{{max-error-rate}}", "{{gate}}", "{{", "}}", "{{a", "{{}}",
        "{{1}}", "NaN", "Infinity", "1e999", " ", "\n", "\t", "\0", "\u00e9", "\ud800", "\u200b", "system(", "\"", "'", "0x10", ".", "e",
        "resultx", "isNaN", "=", "!", "&&", "||", "$", "\\",
    ];

    private static readonly string[] HostileValues =
    [
        "0.02 or true", "true", "false", "1", "-0", "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "4.9e-324", "1.7976931348623157e308",
        "", " ", "0.05 ", "(0.05)", "{{a}}", "result", "not true", "1 < 2", "v2\"} or vector(1) #", "\0", "\ud800", "0.05\n",
        "1_000", "0,05", "٣", "1e-3", "-.5", "5.", "+1",
    ];

    private static Gen<string> NumberText(int depth) => depth == 0
        ? Gen.OneOf(Gen.OneOf("result", "0.05", "1e-3", "250", "{{a}}", "{{max-error-rate}}"), Gen.Double[-1e6, 1e6].Select(d => d.ToString("R", CultureInfo.InvariantCulture)))
        : Gen.Int[0, 5].SelectMany(kind => kind switch
        {
            0 => Gen.Select(NumberText(depth - 1), Gen.OneOf(" + ", " - ", " * ", " / "), NumberText(depth - 1), (l, op, r) => l + op + r),
            1 => NumberText(depth - 1).Select(n => $"({n})"),
            2 => NumberText(depth - 1).Select(n => $"-{n}"),
            _ => NumberText(0),
        });

    private static Gen<string> ConditionText(int depth) => depth == 0
        ? Gen.OneOf(
            Gen.OneOf("true", "false", "{{gate}}", "isNaN(result)"),
            Gen.Select(NumberText(1), Gen.OneOf(" < ", " <= ", " > ", " >= ", " == ", " != "), NumberText(1), (l, op, r) => l + op + r))
        : Gen.Int[0, 5].SelectMany(kind => kind switch
        {
            0 => Gen.Select(ConditionText(depth - 1), Gen.OneOf(" and ", " or "), ConditionText(depth - 1), (l, op, r) => l + op + r),
            1 => ConditionText(depth - 1).Select(c => $"not {c}"),
            2 => ConditionText(depth - 1).Select(c => $"({c})"),
            3 => NumberText(depth).Select(n => $"isNaN({n})"),
            _ => ConditionText(0),
        });

    /// <summary>One change to a condition's text; applied in turn, they take it anywhere from a near miss to garbage.</summary>
    private static Gen<Func<string, string>> Mutation => Gen.Int[0, 7].SelectMany(kind => kind switch
    {
        0 => Gen.Select(Gen.Int[0, 1000], Gen.OneOf(Tokens), (at, token) => (Func<string, string>)(s => s.Insert(at % (s.Length + 1), token))),
        1 => Gen.Select(Gen.Int[0, 1000], Gen.Int[1, 8], (at, n) => (Func<string, string>)(s => s.Length == 0 ? s : s.Remove(at % s.Length, Math.Min(n, s.Length - at % s.Length)))),
        2 => Gen.Select(Gen.Int[0, 1000], Gen.Char, (at, c) => (Func<string, string>)(s => s.Length == 0 ? c.ToString() : s.Remove(at % s.Length, 1).Insert(at % s.Length, c.ToString()))),
        3 => Gen.Int[1, 60].Select(n => (Func<string, string>)(s => new string('(', n) + s + new string(')', n))),
        4 => Gen.Int[1, 40_000].Select(n => (Func<string, string>)(s => s.Length > 1_000 ? s : new string('(', n) + s + new string(')', n))),
        5 => Gen.Int[1, 60].Select(n => (Func<string, string>)(s => string.Concat(Enumerable.Repeat("not ", n)) + s)),
        6 => Gen.Int[2, 200].Select(n => (Func<string, string>)(s => string.Join(" or ", Enumerable.Repeat(s, Math.Clamp(4_000 / (s.Length + 1), 1, n))))),
        _ => Gen.Int[0, 1000].Select(at => (Func<string, string>)(s => s.Length == 0 ? s : s[(at % s.Length)..] + s[..(at % s.Length)])),
    });

    private static readonly Gen<string> Text = Gen.Frequency(
        (3, Gen.Int[0, 4].SelectMany(ConditionText)),
        (5, Gen.Select(Gen.Int[0, 3].SelectMany(ConditionText), Mutation.Array[1, 4], (text, changes) => changes.Aggregate(text, (s, change) => change(s)))),
        (2, Gen.OneOf(Tokens).Array[0, 40].Select(string.Concat)),
        (1, Gen.String[0, 80]));

    private static readonly Gen<string> Value = Gen.Frequency(
        (3, Gen.OneOf(HostileValues)),
        (3, Gen.Select(Gen.Double, Gen.Bool, (d, exact) => d.ToString(exact ? "R" : "E3", CultureInfo.InvariantCulture))),
        (2, Gen.OneOf(Tokens).Array[0, 8].Select(string.Concat)),
        (1, Gen.String[0, 40]),
        (1, Gen.Int[1, 30_000].Select(n => new string('(', n))));

    private static readonly Gen<Dictionary<string, string>> Values =
        Gen.Select(Gen.Bool.Array[Names.Length], Value.Array[Names.Length], (given, values) =>
            Names.Where((_, i) => given[i]).ToDictionary(n => n, n => values[Array.IndexOf(Names, n)], StringComparer.Ordinal));

    private static readonly double[] Results = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0, -0.0, double.Epsilon, double.MaxValue, 0.107];

    [Fact]
    public void ParseBindEvaluateCheck_AnyTextAndValues_NeverThrow() =>
        Gen.Select(Text, Values, Gen.Double).Sample((text, values, result) =>
        {
            var condition = Condition.TryParse(text, out var error);
            Assert.True((condition is null) != (error is null), $"parsed {condition is not null}, error {error}");
            if (condition is not null)
            {
                Assert.True(text.Length <= Condition.MaxLength);
                var bound = condition.Bind(values, out var problems);
                Assert.True((bound is null) == (problems.Count > 0), string.Join("; ", problems));
                Assert.All(problems, p => Assert.Contains(condition.Arguments, a => a.Name == p.Name));
                foreach (var r in Results.Append(result))
                {
                    _ = bound?.Evaluate(r);
                }
            }

            var spec = new AnalysisTemplateSpec
            {
                Args = [.. Names.Select(n => new AnalysisArgument(n, null))],
                Metrics = [new AnalysisMetric { Name = "m", Query = text, SuccessCondition = text, Address = text }],
            };
            _ = TemplateArguments.Check([(null, spec)], values, builtInGiven: false, "the fuzz");
            _ = AnalysisArguments.Substitute(text, values);
        }, seed: Seed, iter: Iterations);

    [Fact]
    public void Bind_AnyValue_IsANumberOrRefused_NeverCode() =>
        Gen.Select(Value, Gen.Double).Sample((value, result) =>
        {
            var condition = Condition.TryParse("result < {{limit}} and not false", out _)!;
            var bound = condition.Bind(new Dictionary<string, string> { ["limit"] = value }, out var problems);
            if (bound is null)
            {
                Assert.Equal("limit", Assert.Single(problems).Name);
                return;
            }

            var limit = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.True(double.IsFinite(limit), value);
            Assert.Equal(result < limit, bound.Evaluate(result));
        }, seed: Seed, iter: Iterations);
}
