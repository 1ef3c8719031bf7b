using LightMesh.DurableExecution;

namespace LightMesh.Releases.Runs;

/// <summary>The data of a release's workflow instance: which release it runs. Everything else lives in the release's state.</summary>
[FormerNames("LightMesh.Releases.Workflow.ReleaseRunData")]
public sealed class ReleaseRunData
{
    public string ReleaseId { get; set; } = "";
}
