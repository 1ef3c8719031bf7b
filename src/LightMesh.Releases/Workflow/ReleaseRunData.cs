namespace LightMesh.Releases.Workflow;

/// <summary>The data of a release's workflow instance: which release it runs. Everything else lives in the release's state.</summary>
public sealed class ReleaseRunData
{
    public string ReleaseId { get; set; } = "";
}
