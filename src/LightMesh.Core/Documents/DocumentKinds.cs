namespace LightMesh.Core.Documents;

/// <summary>Names, API groups and CLI aliases of every <see cref="DocumentKind"/>, in one place.</summary>
public static class DocumentKinds
{
    public const string LightMeshApiVersion = "lightmesh.io/v1";

    /// <summary>Istio's networking API versions we accept; all three share one schema for our subset.</summary>
    public static readonly IReadOnlyList<string> IstioApiVersions =
        ["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"];

    public static readonly IReadOnlyList<DocumentKind> All =
        [DocumentKind.Service, DocumentKind.Node, DocumentKind.VirtualService, DocumentKind.DestinationRule, DocumentKind.AnalysisTemplate, DocumentKind.ReleaseWorkflow, DocumentKind.ReleaseTrigger, DocumentKind.Schedule, DocumentKind.DeliveryWindow];

    /// <summary>The API versions a document of this kind may declare.</summary>
    public static IReadOnlyList<string> ApiVersionsOf(DocumentKind kind) => kind switch
    {
        DocumentKind.Service or DocumentKind.Node or DocumentKind.AnalysisTemplate or DocumentKind.ReleaseWorkflow or DocumentKind.ReleaseTrigger
            or DocumentKind.Schedule or DocumentKind.DeliveryWindow => [LightMeshApiVersion],
        _ => IstioApiVersions,
    };

    /// <summary>The lower-case plural used in etcd keys and accepted by the CLI.</summary>
    public static string PluralOf(DocumentKind kind) => kind switch
    {
        DocumentKind.Service => "services",
        DocumentKind.Node => "nodes",
        DocumentKind.VirtualService => "virtualservices",
        DocumentKind.DestinationRule => "destinationrules",
        DocumentKind.AnalysisTemplate => "analysistemplates",
        DocumentKind.ReleaseWorkflow => "releaseworkflows",
        DocumentKind.ReleaseTrigger => "releasetriggers",
        DocumentKind.Schedule => "schedules",
        DocumentKind.DeliveryWindow => "deliverywindows",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Reads a kind as written in a document (<c>VirtualService</c>) or on the command line (<c>vs</c>, <c>virtualservices</c>).</summary>
    public static bool TryParse(string text, out DocumentKind kind)
    {
        kind = text.ToLowerInvariant() switch
        {
            "service" or "services" or "svc" => DocumentKind.Service,
            "node" or "nodes" => DocumentKind.Node,
            "virtualservice" or "virtualservices" or "vs" => DocumentKind.VirtualService,
            "destinationrule" or "destinationrules" or "dr" => DocumentKind.DestinationRule,
            "analysistemplate" or "analysistemplates" or "at" => DocumentKind.AnalysisTemplate,
            "releaseworkflow" or "releaseworkflows" or "workflow" or "workflows" or "rw" => DocumentKind.ReleaseWorkflow,
            "releasetrigger" or "releasetriggers" or "trigger" or "triggers" or "rt" => DocumentKind.ReleaseTrigger,
            "schedule" or "schedules" => DocumentKind.Schedule,
            "deliverywindow" or "deliverywindows" or "window" or "windows" or "dw" => DocumentKind.DeliveryWindow,
            _ => (DocumentKind)(-1),
        };
        return Enum.IsDefined(kind);
    }
}
