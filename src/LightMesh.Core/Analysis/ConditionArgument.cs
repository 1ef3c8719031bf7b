namespace LightMesh.Core.Analysis;

/// <summary>
/// An argument a condition refers to as <c>{{name}}</c>, with the type its place gives it: a number beside a comparison
/// or arithmetic operator and in <c>isNaN(...)</c>, true or false beside <c>and</c>, <c>or</c>, <c>not</c> or alone.
/// </summary>
public sealed record ConditionArgument(string Name, ConditionValueType Type);
