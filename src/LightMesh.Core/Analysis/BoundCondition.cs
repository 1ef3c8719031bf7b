namespace LightMesh.Core.Analysis;

/// <summary>A <see cref="Condition"/> with its arguments bound to typed values: what a metric's measurements are judged by.</summary>
public sealed class BoundCondition
{
    private readonly ConditionNode _root;
    private readonly double[] _arguments;

    internal BoundCondition(ConditionNode root, double[] arguments, string text)
    {
        _root = root;
        _arguments = arguments;
        Text = text;
    }

    /// <summary>The condition as written, each argument shown by its value.</summary>
    public string Text { get; }

    /// <summary>True when the condition holds for <paramref name="result"/>.</summary>
    public bool Evaluate(double result) => _root.Evaluate(result, _arguments) != 0;

    /// <summary>True when the condition holds for every element of <paramref name="results"/> (which must not be empty).</summary>
    public bool EvaluateAll(IReadOnlyList<double> results) => results.Count > 0 && results.All(Evaluate);

    public override string ToString() => Text;
}
