namespace LightMesh.Releases.Steps;

/// <summary>How carrying out one command went: done (at an etcd revision, when it wrote), or why not.</summary>
/// <param name="NotLeader">The write was fenced out: this controller no longer leads.</param>
/// <param name="Busy">It could not begin because another holds what it needs (a node being applied): try again soon.</param>
/// <param name="NotYet">It is done as far as it goes, but has not reached everywhere yet (the control plane or a proxy is behind): try again.</param>
public sealed record StepResult(bool Succeeded, string Reason, long Revision = 0, bool NotLeader = false, bool Busy = false, bool NotYet = false)
{
    public static StepResult Failed(string reason) => new(false, reason);
}
