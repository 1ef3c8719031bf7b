namespace LightMesh.Releases;

/// <summary>How carrying out one command went: done (at an etcd revision, when it wrote), or why not.</summary>
public sealed record StepResult(bool Succeeded, string Reason, long Revision = 0, bool NotLeader = false)
{
    public static StepResult Failed(string reason) => new(false, reason);
}
