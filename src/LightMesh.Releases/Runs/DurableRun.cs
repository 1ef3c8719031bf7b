using WorkflowCore.Interface;

namespace LightMesh.Releases.Runs;

/// <summary>
/// The workflow every release runs under WorkflowCore: one step that advances the release and then waits, durably,
/// for its wake-up event, as often as the release needs, until it ends. The release's steps themselves are data
/// (its ReleaseWorkflow document), decided by the pure ReleaseDecider; WorkflowCore keeps it running across restarts.
/// </summary>
public sealed class DurableRun : IWorkflow<ReleaseRunData>
{
    public const string Name = "lightmesh-release";

    /// <summary>The event that wakes a release's workflow; its key is the release id.</summary>
    public const string WakeEvent = "lightmesh-release-wake";

    public string Id => Name;

    public int Version => 1;

    public void Build(IWorkflowBuilder<ReleaseRunData> builder) =>
        builder.StartWith<AdvanceRelease>().Input(step => step.ReleaseId, data => data.ReleaseId);
}
