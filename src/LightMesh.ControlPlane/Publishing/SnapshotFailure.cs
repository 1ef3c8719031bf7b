namespace LightMesh.ControlPlane.Publishing;

/// <summary>A snapshot the control plane could not build: the etcd revision it was to be built from, and why.</summary>
public sealed record SnapshotFailure(long Revision, string Error)
{
    public override string ToString() => $"could not build its snapshot at revision {Revision}: {Error}";
}
