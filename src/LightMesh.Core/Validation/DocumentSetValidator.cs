using LightMesh.Core.Analysis;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Scheduling;

namespace LightMesh.Core.Validation;

/// <summary>
/// Checks what no single document can: names are unique, every host is a Service, every subset a route
/// sends traffic to is defined by the host's DestinationRule, each host has at most one VirtualService and
/// one DestinationRule. A route to an undefined subset is an error, since it would black-hole traffic. ReleaseTriggers:
/// see <c>DocumentSetValidator.Triggers.cs</c>; Schedules and DeliveryWindows: <c>DocumentSetValidator.Schedules.cs</c>.
/// </summary>
public static class DocumentSetValidator
{
    /// <param name="documents">The documents as they would be stored after the change.</param>
    /// <param name="complete">
    /// True when <paramref name="documents"/> is everything that will be stored (apply, delete); false when it is
    /// only some files checked offline, where a reference to a document not among them cannot be judged.
    /// </param>
    public static IReadOnlyList<ValidationError> Validate(IReadOnlyList<SourcedDocument> documents, bool complete)
    {
        var errors = new List<ValidationError>();
        var unique = new Dictionary<(DocumentKind, string), SourcedDocument>();
        foreach (var item in documents)
        {
            if (!unique.TryAdd((item.Document.Kind, item.Document.Name), item))
            {
                Add(errors, item, "metadata.name", $"is defined more than once (also in {unique[(item.Document.Kind, item.Document.Name)].Source})");
            }
        }

        var world = new World(unique.Values.ToList());
        foreach (var item in world.Documents)
        {
            switch (item.Document)
            {
                case VirtualService vs:
                    CheckVirtualService(errors, world, item, vs, complete);
                    break;
                case DestinationRule dr:
                    CheckDestinationRule(errors, world, item, dr, complete);
                    break;
                case ReleaseWorkflow workflow when complete:
                    CheckWorkflow(errors, world, item, workflow);
                    break;
                case ReleaseGroupWorkflow group when complete:
                    CheckGroup(errors, world, item, group);
                    break;
                case MeshService { Spec.Deploy.Nodes: { } nodes } when complete:
                    for (var i = 0; i < nodes.Count; i++)
                    {
                        if (!world.Nodes.Contains(nodes[i]))
                        {
                            Add(errors, item, $"spec.deploy.placement.nodes[{i}]", $"no Node named \"{nodes[i]}\"");
                        }
                    }

                    break;
            }
        }

        CheckTriggers(errors, world, complete);
        if (complete)
        {
            CheckSchedules(errors, world);
        }

        return errors;
    }

    /// <summary>
    /// The errors a write of VirtualServices and DestinationRules alone can bring, found without checking every document:
    /// exactly what <see cref="Validate"/> of the whole set after the write says of the documents written, of every
    /// VirtualService and DestinationRule of a host they name or named, and of every VirtualService that sends traffic to
    /// the hosts of the DestinationRules written. Nothing the write changes is read by the checks of any other document,
    /// so what those say is what they said before it. Null when the write holds another kind: validate the whole set.
    /// </summary>
    /// <param name="stored">Every stored document (in the order <see cref="Validate"/> would be given them), indexed: what this reads is what the write touches.</param>
    /// <param name="storedSource">How errors name a stored document.</param>
    /// <param name="written">The documents written; each replaces the stored one of its kind and name.</param>
    public static IReadOnlyList<ValidationError>? ValidateRoutingWrite(DocumentIndex stored, string storedSource, IReadOnlyList<SourcedDocument> written)
    {
        if (written.Any(w => w.Document is not (VirtualService or DestinationRule)))
        {
            return null;
        }

        // As the whole validation: the first of a name stays, a later one is an error (stored names are unique already).
        var errors = new List<ValidationError>();
        var incoming = new Dictionary<(DocumentKind, string), SourcedDocument>();
        foreach (var item in written)
        {
            if (!incoming.TryAdd((item.Document.Kind, item.Document.Name), item))
            {
                Add(errors, item, "metadata.name", $"is defined more than once (also in {incoming[(item.Document.Kind, item.Document.Name)].Source})");
            }
        }

        // The set after the write is the stored documents but those replaced, in their order, then the written ones.
        var routed = new HashSet<string>(StringComparer.Ordinal);
        var ruled = new HashSet<string>(StringComparer.Ordinal);
        var replaced = new HashSet<Document>(ReferenceEqualityComparer.Instance);
        foreach (var item in incoming.Values)
        {
            if (stored.PositionOf(item.Document.Kind, item.Document.Name) is var at and >= 0)
            {
                replaced.Add(stored.Documents[at]);
                Touch(stored.Documents[at], routed, ruled);
            }

            Touch(item.Document, routed, ruled);
        }

        // Only the hosts the write decides read differently after it.
        var writtenRoutes = incoming.Values.Select(i => i.Document).OfType<VirtualService>().ToList();
        var writtenRules = incoming.Values.Select(i => i.Document).OfType<DestinationRule>().ToList();
        var routedAfter = routed.ToDictionary(
            host => host,
            host => (List<VirtualService>)[.. stored.World.RoutedBy(host).Where(vs => !replaced.Contains(vs)),
                .. writtenRoutes.SelectMany(vs => vs.Spec.Hosts.Where(h => h == host).Select(_ => vs))],
            StringComparer.Ordinal);
        var ruleAfter = ruled.ToDictionary(
            host => host,
            host => stored.RulesFor(host).FirstOrDefault(dr => !replaced.Contains(dr)) ?? writtenRules.FirstOrDefault(dr => dr.Spec.Host == host),
            StringComparer.Ordinal);
        var world = new World(stored.World, routedAfter, ruleAfter);

        // What the write can break, checked in the whole validation's order so each error is the one it would give, word for word:
        // the stored VirtualServices and DestinationRules of a host it decides, and the VirtualServices sending to a host it rules.
        var affected = new HashSet<Document>(ReferenceEqualityComparer.Instance);
        affected.UnionWith(routed.SelectMany(host => stored.World.RoutedBy(host)));
        affected.UnionWith(ruled.SelectMany(host => stored.RulesFor(host)));
        affected.UnionWith(ruled.SelectMany(host => stored.SendingTo(host)));
        affected.ExceptWith(replaced);
        var checkedStored = affected.Select(d => new SourcedDocument(d, storedSource)).OrderBy(d => stored.PositionOf(d.Document.Kind, d.Document.Name));
        foreach (var item in checkedStored.Concat(incoming.Values))
        {
            switch (item.Document)
            {
                case VirtualService vs:
                    CheckVirtualService(errors, world, item, vs, complete: true);
                    break;
                case DestinationRule dr:
                    CheckDestinationRule(errors, world, item, dr, complete: true);
                    break;
            }
        }

        return errors;
    }

    /// <summary>Adds the hosts whose routing <paramref name="document"/> (written, or replaced by a write) decides.</summary>
    private static void Touch(Document document, HashSet<string> routed, HashSet<string> ruled)
    {
        switch (document)
        {
            case VirtualService vs:
                routed.UnionWith(vs.Spec.Hosts);
                break;
            case DestinationRule dr:
                ruled.Add(dr.Spec.Host);
                break;
        }
    }

    private static void CheckVirtualService(List<ValidationError> errors, World world, SourcedDocument item, VirtualService vs, bool complete)
    {
        for (var i = 0; i < vs.Spec.Hosts.Count; i++)
        {
            var host = vs.Spec.Hosts[i];
            if (world.RoutedBy(host) is var owners && !ReferenceEquals(owners[0], vs))
            {
                Add(errors, item, $"spec.hosts[{i}]", $"host \"{host}\" is already routed by {owners[0].Reference}");
            }

            if (complete && !world.Services.ContainsKey(host))
            {
                Add(errors, item, $"spec.hosts[{i}]", $"no Service named \"{host}\"");
            }
        }

        for (var r = 0; r < vs.Spec.Http.Count; r++)
        {
            var route = vs.Spec.Http[r];
            for (var d = 0; d < route.Route.Count; d++)
            {
                CheckDestination(errors, world, item, route.Route[d].Destination, $"spec.http[{r}].route[{d}].destination", complete);
            }

            if (route.Mirror is not null)
            {
                CheckDestination(errors, world, item, route.Mirror, $"spec.http[{r}].mirror", complete);
            }
        }
    }

    private static void CheckDestination(List<ValidationError> errors, World world, SourcedDocument item, Destination destination, string path, bool complete)
    {
        if (world.Services.TryGetValue(destination.Host, out var service))
        {
            if (destination.Port is { } port && port != service.Spec.Port)
            {
                Add(errors, item, $"{path}.port.number", $"Service \"{destination.Host}\" listens on port {service.Spec.Port}, not {port}");
            }
        }
        else if (complete)
        {
            Add(errors, item, $"{path}.host", $"no Service named \"{destination.Host}\"");
        }

        if (destination.Subset is not { } subset)
        {
            return;
        }

        if (world.RuleFor(destination.Host) is { } rule)
        {
            if (!rule.Spec.Subsets.Any(s => s.Name == subset))
            {
                Add(errors, item, $"{path}.subset", $"subset \"{subset}\" is not defined by {rule.Reference} (host \"{destination.Host}\"); traffic to it would be dropped");
            }
        }
        else if (complete)
        {
            Add(errors, item, $"{path}.subset", $"subset \"{subset}\" is not defined: no DestinationRule for host \"{destination.Host}\"; traffic to it would be dropped");
        }
    }

    private static void CheckWorkflow(List<ValidationError> errors, World world, SourcedDocument item, ReleaseWorkflow workflow)
    {
        for (var i = 0; i < workflow.Spec.Steps.Count; i++)
        {
            if (workflow.Spec.Steps[i] is AnalysisStep analysis)
            {
                CheckTemplates(errors, world, item, analysis.Templates, $"spec.steps[{i}].analysis.templates");
                CheckArguments(errors, world, item, analysis.Templates, analysis.Args, $"spec.steps[{i}].analysis.args", $"step {i}");
            }
        }

        if (workflow.Spec.BackgroundAnalysis is { } background)
        {
            CheckTemplates(errors, world, item, background.Templates, "spec.backgroundAnalysis.templates");
            CheckArguments(errors, world, item, background.Templates, background.Args, "spec.backgroundAnalysis.args", "the background analysis");
        }

        foreach (var (field, analysis) in new[] { ("prePromotionAnalysis", workflow.Spec.PrePromotionAnalysis), ("postPromotionAnalysis", workflow.Spec.PostPromotionAnalysis) })
        {
            if (analysis is not null)
            {
                CheckTemplates(errors, world, item, analysis.Templates, $"spec.{field}.templates");
                CheckArguments(errors, world, item, analysis.Templates, analysis.Args, $"spec.{field}.args", $"the {field}");
            }
        }
    }

    /// <summary>
    /// A group's members name Services and ReleaseWorkflows that exist; its analysis, AnalysisTemplates that exist; a
    /// <c>step N</c> gate, a step every member with members after it has.
    /// </summary>
    private static void CheckGroup(List<ValidationError> errors, World world, SourcedDocument item, ReleaseGroupWorkflow group)
    {
        var members = group.Spec.Members;
        for (var i = 0; i < members.Count; i++)
        {
            if (!world.Services.ContainsKey(members[i].Service))
            {
                Add(errors, item, $"spec.members[{i}].service", $"no Service named \"{members[i].Service}\"");
            }

            if (!world.Workflows.TryGetValue(members[i].Workflow, out var workflow))
            {
                Add(errors, item, $"spec.members[{i}].workflow", $"no ReleaseWorkflow named \"{members[i].Workflow}\"");
            }
            else if (group.Spec.Gate is StepGate { Step: var step } && step > workflow.Spec.Steps.Count && members.Any(m => m.After.Contains(members[i].Service)))
            {
                Add(errors, item, "spec.gate", $"step {step} is past the end of {members[i].Service}'s workflow {workflow.Name} ({workflow.Spec.Steps.Count} steps), and members start after it");
            }
        }

        if (group.Spec.Analysis is { } analysis)
        {
            CheckTemplates(errors, world, item, analysis.Templates, "spec.analysis.templates");
            CheckArguments(errors, world, item, analysis.Templates, analysis.Args, "spec.analysis.args", "the group's analysis");
        }
    }

    /// <summary>Arguments given to templates are ones they declare, with values they take (<see cref="TemplateArguments"/>); a missing template is reported on its own.</summary>
    private static void CheckArguments(
        List<ValidationError> errors, World world, SourcedDocument item, IReadOnlyList<string> templates, IReadOnlyDictionary<string, string>? args, string path, string scope)
    {
        var found = templates.Select(t => world.Templates.GetValueOrDefault(t)).OfType<AnalysisTemplate>().ToList();
        if (args is null || args.Count == 0 || found.Count < templates.Count)
        {
            // Without every template, which names are declared cannot be told.
            return;
        }

        foreach (var problem in TemplateArguments.Check(found, args, builtInGiven: false, scope))
        {
            Add(errors, item, $"{path}.{problem.Name}", problem.Message);
        }
    }

    private static void CheckTemplates(List<ValidationError> errors, World world, SourcedDocument item, IReadOnlyList<string> templates, string path)
    {
        for (var t = 0; t < templates.Count; t++)
        {
            if (!world.Templates.ContainsKey(templates[t]))
            {
                Add(errors, item, $"{path}[{t}]", $"no AnalysisTemplate named \"{templates[t]}\"");
            }
        }
    }

    private static void CheckDestinationRule(List<ValidationError> errors, World world, SourcedDocument item, DestinationRule dr, bool complete)
    {
        if (world.RuleFor(dr.Spec.Host) is { } first && !ReferenceEquals(first, dr))
        {
            Add(errors, item, "spec.host", $"host \"{dr.Spec.Host}\" already has {first.Reference}");
        }

        if (complete && !world.Services.ContainsKey(dr.Spec.Host))
        {
            Add(errors, item, "spec.host", $"no Service named \"{dr.Spec.Host}\"");
        }
    }

    private static void Add(List<ValidationError> errors, SourcedDocument item, string path, string message) =>
        errors.Add(new ValidationError(item.Source, item.Document.Reference, path, message));

    /// <summary>Indexes of the document set, built once.</summary>
    internal sealed class World
    {
        private readonly Dictionary<string, List<DestinationRule>> _rulesFor = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<VirtualService>> _routedBy = new(StringComparer.Ordinal);

        // A routing write's hosts as they are after it (see the constructor that takes them); null for a whole set.
        private readonly IReadOnlyDictionary<string, DestinationRule?>? _ruleAfter;
        private readonly IReadOnlyDictionary<string, List<VirtualService>>? _routedAfter;

        // Names are unique per kind here, and each host's VirtualServices keep the documents' order.
        public World(IReadOnlyList<SourcedDocument> documents)
            : this(documents.Select(d => d.Document)) => Documents = documents;

        /// <summary>The indexes alone, for checks that do not go through every document (<see cref="Documents"/> is empty).</summary>
        public World(IEnumerable<Document> documents)
        {
            foreach (var document in documents)
            {
                switch (document)
                {
                    case MeshService service:
                        Services[service.Name] = service;
                        break;
                    case MeshNode node:
                        Nodes.Add(node.Name);
                        break;
                    case AnalysisTemplate template:
                        Templates[template.Name] = template;
                        break;
                    case ReleaseWorkflow workflow:
                        Workflows[workflow.Name] = workflow;
                        break;
                    case DestinationRule rule:
                        AddTo(_rulesFor, rule.Spec.Host, rule);
                        break;
                    case VirtualService vs:
                        foreach (var host in vs.Spec.Hosts)
                        {
                            AddTo(_routedBy, host, vs);
                        }

                        break;
                }
            }
        }

        /// <summary>
        /// <paramref name="stored"/> after a write of VirtualServices and DestinationRules: the same, but for the hosts the
        /// write decides, whose VirtualServices (in the order of the set after the write) and first DestinationRule are given.
        /// </summary>
        public World(World stored, IReadOnlyDictionary<string, List<VirtualService>> routedAfter, IReadOnlyDictionary<string, DestinationRule?> ruleAfter)
        {
            (Services, Nodes, Templates, Workflows) = (stored.Services, stored.Nodes, stored.Templates, stored.Workflows);
            (_rulesFor, _routedBy, _routedAfter, _ruleAfter) = (stored._rulesFor, stored._routedBy, routedAfter, ruleAfter);
        }

        /// <summary>
        /// The indexes of <paramref name="earlier"/>'s set after <paramref name="changes"/>, as a whole set's (see
        /// <see cref="DocumentIndex.Following"/>): what no change touches is shared with it, and none of its lists is changed.
        /// </summary>
        public World(World earlier, IReadOnlyList<ChangedDocument> changes, Func<Document, int> positionOf)
        {
            Services = WithChanged(earlier.Services, changes);
            Templates = WithChanged(earlier.Templates, changes);
            Workflows = WithChanged(earlier.Workflows, changes);
            Nodes = earlier.Nodes;
            if (changes.Any(c => c is { Replaced: null, Document: MeshNode }))
            {
                Nodes = new HashSet<string>(earlier.Nodes, StringComparer.Ordinal);
                Nodes.UnionWith(changes.Select(c => c.Document).OfType<MeshNode>().Select(n => n.Name));
            }

            _rulesFor = Relisted<DestinationRule>(earlier._rulesFor, changes, rule => [rule.Spec.Host], positionOf);
            _routedBy = Relisted<VirtualService>(earlier._routedBy, changes, vs => vs.Spec.Hosts, positionOf);
        }

        public IReadOnlyList<SourcedDocument> Documents { get; } = [];
        public Dictionary<string, MeshService> Services { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Nodes { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, AnalysisTemplate> Templates { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, ReleaseWorkflow> Workflows { get; } = new(StringComparer.Ordinal);

        /// <summary>The VirtualServices whose hosts name <paramref name="host"/>, in the documents' order (once per naming); empty for none.</summary>
        public IReadOnlyList<VirtualService> RoutedBy(string host) =>
            _routedAfter is not null && _routedAfter.TryGetValue(host, out var after) ? after
            : _routedBy.TryGetValue(host, out var owners) ? owners
            : [];

        /// <summary>The first DestinationRule of <paramref name="host"/>, if any.</summary>
        public DestinationRule? RuleFor(string host) =>
            _ruleAfter is not null && _ruleAfter.TryGetValue(host, out var after) ? after
            : _rulesFor.TryGetValue(host, out var rules) ? rules[0]
            : null;

        /// <summary>Every DestinationRule of <paramref name="host"/> in the set (not after a write), in the documents' order.</summary>
        public IReadOnlyList<DestinationRule> RulesFor(string host) => _rulesFor.TryGetValue(host, out var rules) ? rules : [];

        /// <summary>Adds <paramref name="item"/> to <paramref name="key"/>'s list in <paramref name="index"/> (a host's documents, a kind's positions), after those already there.</summary>
        internal static void AddTo<TKey, T>(Dictionary<TKey, List<T>> index, TKey key, T item)
            where TKey : notnull
        {
            if (!index.TryGetValue(key, out var items))
            {
                index[key] = items = [];
            }

            items.Add(item);
        }

        /// <summary>
        /// <paramref name="index"/> (documents by the hosts <paramref name="hostsOf"/> gives, each host's in the documents'
        /// order) after <paramref name="changes"/>: every host a changed <typeparamref name="T"/> names, before or after,
        /// listed again, without the documents replaced and with the new ones, by <paramref name="positionOf"/>; a host left
        /// with none is dropped. A copy when any host is listed again, else <paramref name="index"/> itself; its lists are not changed.
        /// </summary>
        internal static Dictionary<string, List<T>> Relisted<T>(
            Dictionary<string, List<T>> index, IReadOnlyList<ChangedDocument> changes, Func<T, IEnumerable<string>> hostsOf, Func<Document, int> positionOf)
            where T : Document
        {
            var hosts = new HashSet<string>(StringComparer.Ordinal);
            var replaced = new HashSet<Document>(ReferenceEqualityComparer.Instance);
            var added = new Dictionary<string, List<T>>(StringComparer.Ordinal);
            foreach (var change in changes)
            {
                if (change.Replaced is T old)
                {
                    replaced.Add(old);
                    hosts.UnionWith(hostsOf(old));
                }

                if (change.Document is T document)
                {
                    foreach (var host in hostsOf(document))
                    {
                        hosts.Add(host);
                        AddTo(added, host, document);
                    }
                }
            }

            if (hosts.Count == 0)
            {
                return index;
            }

            var relisted = new Dictionary<string, List<T>>(index, StringComparer.Ordinal);
            foreach (var host in hosts)
            {
                IEnumerable<T> kept = index.TryGetValue(host, out var before) ? before.Where(d => !replaced.Contains(d)) : [];
                List<T> listed = [.. kept.Concat(added.GetValueOrDefault(host) ?? []).OrderBy(d => positionOf(d))];
                if (listed.Count == 0)
                {
                    relisted.Remove(host);
                }
                else
                {
                    relisted[host] = listed;
                }
            }

            return relisted;
        }

        /// <summary><paramref name="byName"/> with the changed documents of its kind in, a copy if there is any.</summary>
        private static Dictionary<string, T> WithChanged<T>(Dictionary<string, T> byName, IReadOnlyList<ChangedDocument> changes)
            where T : Document
        {
            var result = byName;
            foreach (var change in changes)
            {
                if (change.Document is T document)
                {
                    if (ReferenceEquals(result, byName))
                    {
                        result = new Dictionary<string, T>(byName, StringComparer.Ordinal);
                    }

                    result[document.Name] = document;
                }
            }

            return result;
        }
    }

    private static void CheckTriggers(List<ValidationError> errors, World world, bool complete)
    {
        var triggers = world.Documents.Where(d => d.Document is ReleaseTrigger).ToList();
        if (triggers.Count == 0)
        {
            return;
        }

        var repositories = new Dictionary<string, ReleaseTrigger>(StringComparer.OrdinalIgnoreCase);
        var images = new Dictionary<string, ReleaseTrigger>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in triggers)
        {
            var trigger = (ReleaseTrigger)item.Document;
            var spec = trigger.Spec;
            if (spec.Repository is { } repository && !repositories.TryAdd(repository, trigger))
            {
                Add(errors, item, "spec.repository", $"\"{repository}\" already starts releases through {repositories[repository].Reference}");
            }

            if (spec.Image is { } image && !images.TryAdd(image, trigger))
            {
                Add(errors, item, "spec.image", $"\"{image}\" already starts releases through {images[image].Reference}");
            }

            if (!complete)
            {
                continue;
            }

            if (!world.Services.TryGetValue(spec.Service, out var service))
            {
                Add(errors, item, "spec.service", $"no Service named \"{spec.Service}\"");
            }
            else if (spec.Image is { } pushed && service.Spec.Deploy is { } deploy && !string.Equals(deploy.Image, pushed, StringComparison.OrdinalIgnoreCase))
            {
                Add(errors, item, "spec.image", $"\"{pushed}\" is not the image Service \"{service.Name}\" deploys ({deploy.Image}); a release would run {deploy.Image}:VERSION");
            }

            if (!world.Workflows.TryGetValue(spec.EffectiveWorkflow, out var workflow))
            {
                Add(errors, item, "spec.workflow", spec.Workflow is null
                    ? $"no ReleaseWorkflow named \"{ReleaseTriggerSpec.DefaultWorkflow}\" (the default when workflow is not given)"
                    : $"no ReleaseWorkflow named \"{spec.Workflow}\"");
            }
            else
            {
                CheckArguments(errors, world, item, workflow.Spec.TemplateNames(), spec.Args, "spec.args", $"workflow {workflow.Name}");
            }
        }
    }

    private static void CheckSchedules(List<ValidationError> errors, World world)
    {
        foreach (var item in world.Documents)
        {
            switch (item.Document)
            {
                case Schedule { Spec.Group: { } groupName } schedule:
                    if (world.Documents.Select(d => d.Document).OfType<ReleaseGroupWorkflow>().FirstOrDefault(g => g.Name == groupName) is not { } group)
                    {
                        Add(errors, item, "spec.group", $"no ReleaseGroupWorkflow named \"{groupName}\"");
                        break;
                    }

                    foreach (var service in (schedule.Spec.Versions?.Keys ?? []).Where(s => group.Spec.Members.All(m => m.Service != s)))
                    {
                        Add(errors, item, $"spec.versions.{service}", $"not a member of group workflow {groupName} (its members: {string.Join(", ", group.Spec.Members.Select(m => m.Service))})");
                    }

                    break;
                case Schedule schedule:
                    if (!world.Services.ContainsKey(schedule.Spec.Service!))
                    {
                        Add(errors, item, "spec.service", $"no Service named \"{schedule.Spec.Service}\"");
                    }

                    if (!world.Workflows.TryGetValue(schedule.Spec.EffectiveWorkflow, out var workflow))
                    {
                        Add(errors, item, "spec.workflow", schedule.Spec.Workflow is null
                            ? $"no ReleaseWorkflow named \"{ScheduleSpec.DefaultWorkflow}\" (the default when workflow is not given)"
                            : $"no ReleaseWorkflow named \"{schedule.Spec.Workflow}\"");
                    }
                    else
                    {
                        CheckArguments(errors, world, item, workflow.Spec.TemplateNames(), schedule.Spec.Args, "spec.args", $"workflow {workflow.Name}");
                    }

                    break;
                case DeliveryWindow { Spec.Services: { } services }:
                    for (var i = 0; i < services.Count; i++)
                    {
                        if (!services[i].Contains('*', StringComparison.Ordinal) && !world.Services.ContainsKey(services[i]))
                        {
                            Add(errors, item, $"spec.services[{i}]", $"no Service named \"{services[i]}\"");
                        }
                    }

                    break;
            }
        }
    }
}

// What ReleaseTriggers must satisfy together: each repository and each image starts releases of one service only (a CI
// event must never have to choose), and, against everything stored, the service and workflow exist, an image is the
// one the service deploys, and the arguments are ones the workflow's templates declare.

// What Schedules and DeliveryWindows must satisfy against everything stored: a schedule's service and workflow exist, its
// arguments are ones the workflow's templates declare, and a window names services that exist (a pattern with '*' may
// match none yet).
