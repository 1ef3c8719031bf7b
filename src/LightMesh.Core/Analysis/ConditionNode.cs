namespace LightMesh.Core.Analysis;

/// <summary>
/// A node of a parsed condition: its type (null for an argument whose place has not said yet) and how to evaluate it
/// from the measurement and the arguments' bound values, by slot. Booleans are 1 and 0.
/// </summary>
internal sealed record ConditionNode(ConditionValueType? Type, Func<double, double[], double> Evaluate, int Slot = -1);
