namespace LightMesh.Core.Releases;

/// <summary>The kinds of user write that can touch what a running release manages.</summary>
public enum RouteWrite
{
    Apply,
    Weights,
    Delete,
}

/// <summary>
/// A field of a route rule that a running release manages and a user's write would change or remove: which release,
/// which document (<c>DestinationRule/checkout</c>) and which field (<c>spec.subsets[stable]</c>; empty for a whole
/// document being deleted).
/// </summary>
public sealed record ManagedField(string ReleaseId, string Document, string Path, RouteWrite Write)
{
    /// <summary>The document and the field, as errors and release events name them.</summary>
    public string Field => Path.Length == 0 ? Document : $"{Document} {Path}";

    public override string ToString() =>
        $"{Field}: managed by release {ReleaseId} (active); abort or finish it, or {Verb} with --force";

    private string Verb => Write switch
    {
        RouteWrite.Weights => "set the weights",
        RouteWrite.Delete => "delete",
        _ => "apply",
    };
}
