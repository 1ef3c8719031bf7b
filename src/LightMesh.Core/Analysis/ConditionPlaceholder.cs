namespace LightMesh.Core.Analysis;

/// <summary>Where a condition's text refers to an argument (<c>{{name}}</c>), so it can be shown with the value bound to it.</summary>
internal sealed record ConditionPlaceholder(int Start, int Length, int Slot);
