using LightMesh.Core.Documents;

namespace LightMesh.Core.Networking;

/// <summary>Istio's DestinationRule: the subsets of a service and the traffic policy towards it.</summary>
public sealed record DestinationRule : Document
{
    public override DocumentKind Kind => DocumentKind.DestinationRule;
    public required DestinationRuleSpec Spec { get; init; }
}

/// <summary>The <c>spec</c> of a <see cref="DestinationRule"/>.</summary>
public sealed record DestinationRuleSpec
{
    public required string Host { get; init; }
    public TrafficPolicy? TrafficPolicy { get; init; }
    public IReadOnlyList<Subset> Subsets { get; init; } = [];
}

/// <summary>A named group of a service's instances, chosen by labels (e.g. <c>version: v2</c>).</summary>
public sealed record Subset
{
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public TrafficPolicy? TrafficPolicy { get; init; }
}
