namespace LightMesh.DurableExecution;

/// <summary>
/// The full names a workflow data type was stored under before it was renamed or moved, so that workflows an earlier
/// controller wrote (a release running while its controllers are upgraded) are still read. New writes use its name now.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class FormerNamesAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}
