namespace LightMesh.Core.Documents;

/// <summary>The kinds of document LightMesh stores.</summary>
public enum DocumentKind
{
    Service,
    Node,
    VirtualService,
    DestinationRule,
    AnalysisTemplate,
    ReleaseWorkflow,
    ReleaseTrigger,
    Schedule,
    DeliveryWindow,
    ReleaseGroupWorkflow,
}
