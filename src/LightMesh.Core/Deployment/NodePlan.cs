namespace LightMesh.Core.Deployment;

/// <summary>What one node should run: its compose project, the containers, the compose YAML, and its revision (the YAML's hash).</summary>
public sealed record NodePlan(string Node, string Project, IReadOnlyList<PlannedContainer> Containers, string Yaml, string Revision);

/// <summary>A node's plan, or every reason it could not be made.</summary>
public sealed record PlanResult(NodePlan? Plan, IReadOnlyList<string> Errors);
