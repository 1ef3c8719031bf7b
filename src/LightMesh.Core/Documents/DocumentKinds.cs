namespace LightMesh.Core.Documents;

/// <summary>Names, API groups and CLI aliases of every <see cref="DocumentKind"/>, in one place.</summary>
public static class DocumentKinds
{
    public const string LightMeshApiVersion = "lightmesh.io/v1";

    /// <summary>Istio's networking API versions we accept; all three share one schema for our subset.</summary>
    public static readonly IReadOnlyList<string> IstioApiVersions =
        ["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"];

    public static readonly IReadOnlyList<DocumentKind> All =
        [DocumentKind.Service, DocumentKind.Node, DocumentKind.VirtualService, DocumentKind.DestinationRule, DocumentKind.AnalysisTemplate, DocumentKind.ReleaseWorkflow, DocumentKind.ReleaseTrigger, DocumentKind.Schedule, DocumentKind.DeliveryWindow, DocumentKind.ReleaseGroupWorkflow];

    /// <summary>The API versions a document of this kind may declare.</summary>
    public static IReadOnlyList<string> ApiVersionsOf(DocumentKind kind) => kind switch
    {
        DocumentKind.Service or DocumentKind.Node or DocumentKind.AnalysisTemplate or DocumentKind.ReleaseWorkflow or DocumentKind.ReleaseTrigger
            or DocumentKind.Schedule or DocumentKind.DeliveryWindow or DocumentKind.ReleaseGroupWorkflow => [LightMeshApiVersion],
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
        DocumentKind.ReleaseGroupWorkflow => "releasegroupworkflows",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Every name the CLI takes for <paramref name="kind"/>: singular (also the document's <c>kind</c>, case aside),
    /// plural, and short aliases (<c>vs</c>, <c>svc</c>).
    /// </summary>
    public static IReadOnlyList<string> NamesOf(DocumentKind kind) => [PluralOf(kind)[..^1], PluralOf(kind), .. AliasesOf(kind)];

    /// <summary>Reads a kind as written in a document (<c>VirtualService</c>) or on the command line (<c>vs</c>, <c>virtualservices</c>).</summary>
    public static bool TryParse(string text, out DocumentKind kind)
    {
        var lower = text.ToLowerInvariant();
        foreach (var candidate in All)
        {
            if (NamesOf(candidate).Contains(lower, StringComparer.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }

        kind = (DocumentKind)(-1);
        return false;
    }

    private static string[] AliasesOf(DocumentKind kind) => kind switch
    {
        DocumentKind.Service => ["svc"],
        DocumentKind.VirtualService => ["vs"],
        DocumentKind.DestinationRule => ["dr"],
        DocumentKind.AnalysisTemplate => ["at"],
        DocumentKind.ReleaseWorkflow => ["workflow", "workflows", "rw"],
        DocumentKind.ReleaseTrigger => ["trigger", "triggers", "rt"],
        DocumentKind.DeliveryWindow => ["window", "windows", "dw"],
        DocumentKind.ReleaseGroupWorkflow => ["groupworkflow", "groupworkflows", "rgw"],
        _ => [],
    };
}
