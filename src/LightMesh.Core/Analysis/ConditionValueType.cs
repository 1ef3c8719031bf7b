namespace LightMesh.Core.Analysis;

/// <summary>The two kinds of value in a condition: a number, or true/false (a condition).</summary>
public enum ConditionValueType
{
    Number,
    Boolean,
}
