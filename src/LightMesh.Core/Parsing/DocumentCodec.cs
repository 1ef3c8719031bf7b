using System.Text.Json.Nodes;
using LightMesh.Core.Analysis;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Scheduling;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Turns one document tree into a typed <see cref="Document"/> (dispatching on apiVersion and kind) and back.</summary>
public static class DocumentCodec
{
    /// <summary>Reads one document; returns null and adds to <paramref name="errors"/> when it is not valid.</summary>
    /// <param name="fallbackLabel">How errors name the document until its kind and name are known (e.g. <c>document 2</c>).</param>
    public static Document? Read(JsonNode? root, string source, string fallbackLabel, List<ValidationError> errors)
    {
        var context = new ReadContext(source, errors) { Document = fallbackLabel };
        var before = errors.Count;
        var top = context.Object(root, "", "apiVersion", "kind", "metadata", "spec");
        if (top is null)
        {
            return null;
        }

        var apiVersion = context.String(top, "", "apiVersion", required: true);
        var kindText = context.String(top, "", "kind", required: true);
        var metadata = context.OptionalObject(top, "", "metadata", "name", "labels", "annotations");
        if (metadata is null && !ReadContext.Present(top, "metadata"))
        {
            context.Error("metadata", "is required");
        }

        var name = metadata is null ? null : context.String(metadata, "metadata", "name", required: true);
        if (name is not null && Names.CheckDns1123Subdomain(name) is { } nameProblem)
        {
            context.Error("metadata.name", nameProblem);
        }

        DocumentKind kind = default;
        var kindKnown = kindText is not null && Enum.TryParse(kindText, ignoreCase: false, out kind) && Enum.IsDefined(kind);
        if (kindText is not null && !kindKnown)
        {
            context.Error("kind", $"\"{kindText}\" is not supported (use one of {string.Join(", ", DocumentKinds.All)})");
        }

        if (kindKnown && name is not null)
        {
            context.Document = $"{kind}/{name}";
        }

        if (kindKnown && apiVersion is not null && !DocumentKinds.ApiVersionsOf(kind).Contains(apiVersion))
        {
            context.Error("apiVersion", $"\"{apiVersion}\" is not an API version of {kind} (use {string.Join(" or ", DocumentKinds.ApiVersionsOf(kind))})");
        }

        var meta = metadata is null || name is null ? null : new ObjectMeta
        {
            Name = name,
            Labels = context.StringMap(metadata, "metadata", "labels", Names.CheckLabelKey, Names.CheckLabelValue),
            Annotations = context.StringMap(metadata, "metadata", "annotations", k => Names.CheckLabelKey(k), _ => null),
        };

        var spec = context.OptionalObject(top, "", "spec", kindKnown ? SpecFields(kind) : []);
        if (spec is null && !ReadContext.Present(top, "spec"))
        {
            context.Error("spec", "is required");
        }

        if (!kindKnown || spec is null)
        {
            return null;
        }

        Document? document = kind switch
        {
            DocumentKind.VirtualService => VirtualServiceCodec.ReadSpec(context, spec) is { } s && meta is not null
                ? new VirtualService { ApiVersion = apiVersion!, Metadata = meta, Spec = s } : null,
            DocumentKind.DestinationRule => DestinationRuleCodec.ReadSpec(context, spec) is { } s && meta is not null
                ? new DestinationRule { ApiVersion = apiVersion!, Metadata = meta, Spec = s } : null,
            DocumentKind.Service => MeshCodec.ReadServiceSpec(context, spec) is { } s && meta is not null
                ? new MeshService { ApiVersion = apiVersion!, Metadata = meta, Spec = s } : null,
            DocumentKind.Node => MeshCodec.ReadNodeSpec(context, spec) is { } s && meta is not null
                ? new MeshNode { ApiVersion = apiVersion!, Metadata = meta, Spec = s } : null,
            DocumentKind.AnalysisTemplate => AnalysisTemplateCodec.ReadSpec(context, spec) is { } s && meta is not null
                ? new AnalysisTemplate { ApiVersion = apiVersion!, Metadata = meta, Spec = s } : null,
            DocumentKind.ReleaseWorkflow => ReleaseWorkflowCodec.ReadSpec(context, spec) is { } s && meta is not null
                ? new ReleaseWorkflow { ApiVersion = apiVersion!, Metadata = meta, Spec = s } : null,
            DocumentKind.ReleaseTrigger => ReleaseTriggerCodec.ReadSpec(context, spec) is { } s && meta is not null
                ? new ReleaseTrigger { ApiVersion = apiVersion!, Metadata = meta, Spec = s } : null,
            DocumentKind.Schedule => ScheduleCodec.ReadSpec(context, spec) is { } s && meta is not null
                ? new Schedule { ApiVersion = apiVersion!, Metadata = meta, Spec = s } : null,
            DocumentKind.DeliveryWindow => ScheduleCodec.ReadWindowSpec(context, spec) is { } s && meta is not null
                ? new DeliveryWindow { ApiVersion = apiVersion!, Metadata = meta, Spec = s } : null,
            DocumentKind.ReleaseGroupWorkflow => ReleaseGroupWorkflowCodec.ReadSpec(context, spec) is { } s && meta is not null
                ? new ReleaseGroupWorkflow { ApiVersion = apiVersion!, Metadata = meta, Spec = s } : null,
            _ => null,
        };

        if (kind is DocumentKind.Service or DocumentKind.Node && name is not null && Names.CheckDns1123Label(name) is { } labelProblem)
        {
            context.Error("metadata.name", labelProblem);
        }

        return errors.Count == before ? document : null;
    }

    private static string[] SpecFields(DocumentKind kind) => kind switch
    {
        DocumentKind.VirtualService => ["hosts", "http"],
        DocumentKind.DestinationRule => ["host", "trafficPolicy", "subsets"],
        DocumentKind.Service => ["protocol", "port", "owner", "deploy"],
        DocumentKind.Node => ["address", "labels", "dockerEndpoint", "dockerTls", "proxyPort", "sidecar", "proxyToken"],
        DocumentKind.AnalysisTemplate => ["args", "metrics", "scoring"],
        DocumentKind.ReleaseWorkflow => ["steps", "backgroundAnalysis", "progressDeadline", "onInconclusive", "notifications", "postPromotionAnalysis", "rollbackWindow", "strategy", "prePromotionAnalysis", "scaleDownDelay", "sessionAffinity"],
        DocumentKind.ReleaseTrigger => ["service", "workflow", "repository", "image", "args", "mode"],
        DocumentKind.Schedule => ["service", "group", "versions", "workflow", "cron", "timeZone", "at", "version", "args", "suspend", "startingDeadline"],
        DocumentKind.DeliveryWindow => ["type", "services", "schedule", "duration", "timeZone", "start", "end"],
        DocumentKind.ReleaseGroupWorkflow => ["members", "gate", "analysis", "onMemberFailure", "notifications"],
        _ => [],
    };

    /// <summary>The document as a tree with the same field names and order that users write.</summary>
    public static JsonObject Write(Document document)
    {
        var metadata = new JsonObject()
            .Set("name", document.Metadata.Name)
            .Set("labels", document.Metadata.Labels)
            .Set("annotations", document.Metadata.Annotations);
        var spec = document switch
        {
            VirtualService vs => VirtualServiceCodec.WriteSpec(vs.Spec),
            DestinationRule dr => DestinationRuleCodec.WriteSpec(dr.Spec),
            MeshService service => MeshCodec.WriteServiceSpec(service.Spec),
            MeshNode node => MeshCodec.WriteNodeSpec(node.Spec),
            AnalysisTemplate template => AnalysisTemplateCodec.WriteSpec(template.Spec),
            ReleaseWorkflow workflow => ReleaseWorkflowCodec.WriteSpec(workflow.Spec),
            ReleaseTrigger trigger => ReleaseTriggerCodec.WriteSpec(trigger.Spec),
            Schedule schedule => ScheduleCodec.WriteSpec(schedule.Spec),
            DeliveryWindow window => ScheduleCodec.WriteWindowSpec(window.Spec),
            ReleaseGroupWorkflow group => ReleaseGroupWorkflowCodec.WriteSpec(group.Spec),
            _ => throw new ArgumentException($"unknown document type {document.GetType().Name}", nameof(document)),
        };
        return new JsonObject()
            .Set("apiVersion", document.ApiVersion)
            .Set("kind", document.Kind.ToString())
            .Set("metadata", metadata)
            .Set("spec", spec);
    }
}
