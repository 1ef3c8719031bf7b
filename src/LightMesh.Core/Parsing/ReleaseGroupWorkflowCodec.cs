using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Reads and writes the <c>spec</c> of a ReleaseGroupWorkflow; every error names the member it is about.</summary>
internal static class ReleaseGroupWorkflowCodec
{
    public static ReleaseGroupSpec? ReadSpec(ReadContext context, JsonObject spec)
    {
        var indexed = new List<(int Index, GroupMember Member)>();
        var position = 0;
        context.List(spec, "spec", "members", (node, path) =>
        {
            var member = ReadMember(context, node, path);
            if (member is not null)
            {
                indexed.Add((position, member));
            }

            position++;
            return member;
        }, required: true);

        CheckMembers(context, indexed);
        var gate = ReadGate(context, spec);
        var analysis = ReadContext.Present(spec, "analysis") ? ReleaseWorkflowCodec.ReadAnalysis(context, spec["analysis"], "spec.analysis") : null;
        var policyText = context.String(spec, "spec", "onMemberFailure");
        MemberFailurePolicy? policy = policyText switch
        {
            null => null,
            "rollbackAll" => MemberFailurePolicy.RollbackAll,
            "rollbackDependants" => MemberFailurePolicy.RollbackDependants,
            _ => null,
        };
        if (policyText is not null && policy is null)
        {
            context.Error("spec.onMemberFailure", $"\"{policyText}\" must be rollbackAll or rollbackDependants");
        }

        return new ReleaseGroupSpec
        {
            Members = [.. indexed.Select(x => x.Member)],
            Gate = gate,
            Analysis = analysis,
            OnMemberFailure = policy,
            Notifications = context.StringList(spec, "spec", "notifications", ReleaseWorkflowCodec.CheckUrl),
        };
    }

    private static GroupMember? ReadMember(ReadContext context, JsonNode? node, string path)
    {
        var obj = context.Object(node, path, "service", "workflow", "after");
        if (obj is null)
        {
            return null;
        }

        var service = context.String(obj, path, "service", required: true);
        if (service is not null && Names.CheckDns1123Label(service) is { } serviceProblem)
        {
            context.Error(ReadContext.Field(path, "service"), serviceProblem);
            service = null;
        }

        var workflow = context.String(obj, path, "workflow", required: true);
        if (workflow is not null && Names.CheckDns1123Subdomain(workflow) is { } workflowProblem)
        {
            context.Error(ReadContext.Field(path, "workflow"), workflowProblem);
            workflow = null;
        }

        var after = context.StringList(obj, path, "after", Names.CheckDns1123Label);
        return service is null || workflow is null ? null : new GroupMember(service, workflow, after);
    }

    /// <summary>No service twice; every name in <c>after</c> a member, not the member itself, and named once; no cycle.</summary>
    private static void CheckMembers(ReadContext context, IReadOnlyList<(int Index, GroupMember Member)> members)
    {
        var before = context.ErrorCount;
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (index, member) in members)
        {
            if (!first.TryAdd(member.Service, index))
            {
                context.Error($"spec.members[{index}].service", $"\"{member.Service}\" is a member already (spec.members[{first[member.Service]}]); a group releases a service once");
            }
        }

        foreach (var (index, member) in members)
        {
            for (var a = 0; a < member.After.Count; a++)
            {
                var at = $"spec.members[{index}].after[{a}]";
                var name = member.After[a];
                if (name == member.Service)
                {
                    context.Error(at, $"\"{name}\" cannot start after itself");
                }
                else if (!first.ContainsKey(name))
                {
                    context.Error(at, $"\"{name}\" is not a member of the group (members: {string.Join(", ", first.Keys)})");
                }
                else if (member.After.Take(a).Contains(name, StringComparer.Ordinal))
                {
                    context.Error(at, $"\"{name}\" is named twice");
                }
            }
        }

        if (context.ErrorCount == before && ReleaseGroupOrder.FindCycle([.. members.Select(x => x.Member)]) is { } cycle)
        {
            context.Error($"spec.members[{first[cycle.Services[0]]}].after", $"the members wait for each other in a cycle (each waits for the next): {cycle}; none of them could ever start");
        }
    }

    /// <summary><c>gate: promoted</c> (the default), <c>step N</c> (N from 1) or <c>weight W</c> (1 to 100).</summary>
    private static MemberGate? ReadGate(ReadContext context, JsonObject spec)
    {
        var text = context.String(spec, "spec", "gate");
        if (text is null)
        {
            return null;
        }

        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        MemberGate? gate = words switch
        {
            ["promoted"] => new PromotedGate(),
            ["step", var n] when int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var step) && step >= 1 => new StepGate(step),
            ["weight", var w] when int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out var weight) && weight is >= 1 and <= 100 => new WeightGate(weight),
            _ => null,
        };
        if (gate is null)
        {
            context.Error("spec.gate", $"\"{text}\" must be promoted, step N (N from 1) or weight W (W from 1 to 100)");
        }

        return gate;
    }

    public static JsonObject WriteSpec(ReleaseGroupSpec spec) => new JsonObject()
        .Set("members", spec.Members, m => new JsonObject()
            .Set("service", m.Service)
            .Set("workflow", m.Workflow)
            .Set("after", m.After, a => JsonValue.Create(a)))
        .Set("gate", spec.Gate?.Text)
        .Set("analysis", spec.Analysis is { } analysis ? ReleaseWorkflowCodec.WriteAnalysis(analysis) : null)
        .Set("onMemberFailure", spec.OnMemberFailure switch { MemberFailurePolicy.RollbackAll => "rollbackAll", MemberFailurePolicy.RollbackDependants => "rollbackDependants", _ => null })
        .Set("notifications", spec.Notifications, n => JsonValue.Create(n));
}
