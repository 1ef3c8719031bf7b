using LightMesh.Core.Deployment;

namespace LightMesh.Deployer.Revisions;

/// <summary>What was applied to a node, kept in etcd: the compose YAML, its containers, and what it replaced.</summary>
/// <param name="Kind"><c>apply</c> or <c>undo</c>.</param>
/// <param name="Previous">The revision that was current before this one, if any.</param>
public sealed record NodeRevision(
    long Sequence,
    string Node,
    string Revision,
    string Kind,
    string? Previous,
    DateTimeOffset AppliedAt,
    string Yaml,
    IReadOnlyList<PlannedContainer> Containers)
{
    public NodePlan ToPlan() => new(Node, ComposePlanner.ProjectName(Node), Containers, Yaml, Revision);
}
