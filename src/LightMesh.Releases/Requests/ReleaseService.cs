using System.Security.Cryptography;
using System.Text;
using LightMesh.Core.Analysis;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Scheduling;
using LightMesh.Core.Validation;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Releases;

namespace LightMesh.Releases.Requests;

/// <summary>What starting a release asks for: the service, its new version, the workflow, and who asks.</summary>
public sealed record StartRequest
{
    public required string Service { get; init; }
    public required string Version { get; init; }
    public string Workflow { get; init; } = "canary";

    /// <summary>The image, if the caller names one: its repository must be the service's and its tag the version.</summary>
    public string? Image { get; init; }

    /// <summary>Arguments for the workflow's analyses; they override a step's own.</summary>
    public IReadOnlyDictionary<string, string> Args { get; init; } = new Dictionary<string, string>();

    /// <summary>Who or what starts it: a user, a CI pipeline, a schedule.</summary>
    public string Actor { get; init; } = "operator";

    /// <summary>Abort (and roll back) the service's running release first, instead of refusing.</summary>
    public bool Supersede { get; init; }

    /// <summary>
    /// The new release's id, when the caller must be able to start it again without starting two (a schedule's firing, a
    /// client's retry with the same <see cref="ReleaseService.IdFor">idempotency key</see>); made up otherwise.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>The group release starting this one as its member, and the group's revision it decided at.</summary>
    public GroupStart? Group { get; init; }

    /// <summary>
    /// A record written in the same transaction as the new release: how a webhook delivery keeps the release it started,
    /// so neither is ever stored without the other.
    /// </summary>
    public StartReceipt? Receipt { get; init; }
}

/// <summary>A key to write with a new release, and its value made from the release's id.</summary>
public sealed record StartReceipt(string Key, Func<string, string> ValueFor);

/// <summary>A start made by group <see cref="Id"/>, valid only while the group is still at <see cref="Revision"/>.</summary>
public sealed record GroupStart(string Id, long Revision)
{
    /// <summary>The group's analysis, run for the member from its start (<see cref="ReleaseState.GroupAnalysis"/>); none for a revert.</summary>
    public AnalysisStep? Analysis { get; init; }
}

/// <summary>How a request about a release ended.</summary>
public enum ReleaseOutcome
{
    Done,

    /// <summary>The request's id names a release an earlier request of the same start made: that release is the answer, and nothing new started.</summary>
    AlreadyStarted,
    NotFound,
    Invalid,
    Conflict,
}

/// <summary>The answer to a request about a release: the outcome, the release, and what was wrong.</summary>
public sealed record ReleaseResult(ReleaseOutcome Outcome, ReleaseState? Release, IReadOnlyList<string> Errors)
{
    public static ReleaseResult Fail(ReleaseOutcome outcome, params string[] errors) => new(outcome, null, errors);
}

/// <summary>
/// The one application service behind every way of handling releases (the HTTP API, the CLI through it, and later CI
/// webhooks and schedules): start, list, get, operator actions and retry. It holds no release logic: the decider decides,
/// the leading controller's workflows carry out.
/// </summary>
public sealed class ReleaseService(DocumentStore documents, ReleaseStore releases, ReleaseGroupStore groups, ReleaseHistory history, InstanceRegistry registry, ReleaseInputs inputs, TimeProvider time)
{
    public static readonly TimeSpan SupersedeTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SupersedePoll = TimeSpan.FromMilliseconds(200);

    /// <summary>One page of releases, newest first; their analyses are summaries (see <see cref="GetAsync"/> for measurements).</summary>
    public Task<ReleasePage> ListAsync(ReleaseQuery query, CancellationToken cancellationToken) => history.ListAsync(query, cancellationToken);

    /// <summary>The newest release <paramref name="actor"/> started, page by page: the one a delivery started names the delivery.</summary>
    public async Task<ReleaseState?> FindStartedByAsync(string actor, CancellationToken cancellationToken)
    {
        var query = new ReleaseQuery();
        while (true)
        {
            var page = await history.ListAsync(query, cancellationToken);
            var found = page.Releases.FirstOrDefault(r => r.StartedBy == actor);
            if (found is not null || page.Continue is null)
            {
                return found;
            }

            query = query with { Continue = page.Continue };
        }
    }

    /// <summary>The release with the measurements kept of each analysis metric.</summary>
    public Task<ReleaseState?> GetAsync(string id, CancellationToken cancellationToken) => releases.GetWithMeasurementsAsync(id, cancellationToken);

    /// <summary>What to do about a missing workflow: the ones stored, or how to store the repository's.</summary>
    private async Task<string> StoredWorkflowsAsync(CancellationToken cancellationToken) =>
        (await documents.ListAsync(DocumentKind.ReleaseWorkflow, cancellationToken)).Select(w => w.Name).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } names
            ? $"stored: {string.Join(", ", names)}"
            : "none is stored; apply one first (lightmesh apply -f workflows/analysis -f workflows/canary.yaml)";

    /// <summary>
    /// The id a start carrying idempotency key <paramref name="key"/> gives its release: the same for every retry of
    /// that start, whichever controller takes it and whether or not the first attempt's answer was lost.
    /// </summary>
    public static string IdFor(string service, string version, string key) =>
        $"{service}-{version.ToLowerInvariant()}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16]}";

    public async Task<ReleaseResult> StartAsync(StartRequest request, CancellationToken cancellationToken)
    {
        // Everything a start decides on is read at once, each on its own (CI under load starts many a second: neither one
        // read after another nor a read of every document of a large mesh).
        var reading = StartReading.Begin(request, documents, releases, groups, cancellationToken);
        await reading.AllAsync();

        // A start made again with the same id (a retry whose first answer was lost) answers the release it made.
        if (await reading.Earlier is { } earlier)
        {
            return Again(request, earlier);
        }

        // A member of a group is released by its group only.
        if (request.Group is null && await reading.ActiveGroup is { } group)
        {
            return ReleaseResult.Fail(ReleaseOutcome.Conflict,
                $"service {request.Service} is a member of group release {group}: act on the group (lightmesh release group status {group}), or wait until it ends");
        }

        // A busy service is the common refusal under load (CI sends while a release runs).
        var active = await reading.Active;
        if (!request.Supersede && active is not null)
        {
            return await BusyAsync(request, active, cancellationToken);
        }

        var service = await reading.Service as MeshService;
        var workflow = await reading.Workflow as ReleaseWorkflow;
        if (service is null || workflow is null)
        {
            string?[] missing =
            [
                service is null ? $"service: no Service named \"{request.Service}\"; lightmesh get services lists them, and apply -f adds one" : null,
                workflow is null ? $"workflow: no ReleaseWorkflow named \"{request.Workflow}\"; {await StoredWorkflowsAsync(cancellationToken)}" : null,
            ];
            return new ReleaseResult(ReleaseOutcome.NotFound, null, missing.OfType<string>().ToList());
        }

        var stable = await StableVersionAsync(service, request.Version, await reading.NamedRule, cancellationToken);
        var templates = (await Task.WhenAll(workflow.Spec.TemplateNames().Select(n => documents.GetAsync(DocumentKind.AnalysisTemplate, n, cancellationToken))))
            .OfType<AnalysisTemplate>().ToList();
        var errors = Check(request, service, stable, workflow, templates);
        if (errors.Count > 0)
        {
            return new ReleaseResult(ReleaseOutcome.Invalid, null, errors);
        }

        var windows = DeliveryWindows.Evaluate((await reading.Windows).OfType<DeliveryWindow>(), service.Name, time.GetUtcNow());
        if (windows.Freeze is not null)
        {
            return ReleaseResult.Fail(ReleaseOutcome.Conflict, $"freeze: no release of {service.Name} starts during {windows.Reason}");
        }

        if (active is not null)
        {
            // Once the superseded release has ended, the start is decided again: a release that held its rollback
            // window was promoted, so its version is the stable one now.
            return await SupersedeAsync(active, request, cancellationToken) ?? await StartAsync(request with { Supersede = false }, cancellationToken);
        }

        // The write below is guarded by the service having no active release and no active group, so a release that
        // became active since the read is found here, not overwritten.
        var id = request.Id ?? NewId(service.Name, request.Version);
        var state = ReleaseDecider.Start(id, service.Name, request.Version, stable!, workflow.Name, ReleaseStrategies.Steps(workflow.Spec, service), request.Actor, time.GetUtcNow()).State with
        {
            Args = request.Args, Group = request.Group?.Id,
            GroupAnalysis = request.Group?.Analysis is { } analysis ? new BackgroundAnalysis(analysis.Templates, analysis.Args, null) : null,
        };
        var receipt = request.Receipt is { } asked ? KeyValuePair.Create(asked.Key, asked.ValueFor(id)) : (KeyValuePair<string, string>?)null;
        if (await releases.CreateAsync(state, null, cancellationToken, request.Group?.Revision ?? 0, receipt) == ReleaseWriteOutcome.Written)
        {
            return Started(state);
        }

        if (request.Id is not null && (await releases.GetAsync(id, cancellationToken)).State is { } existing)
        {
            return Again(request, existing);
        }

        return await releases.ActiveAsync(service.Name, cancellationToken) is { } became && !request.Supersede
            ? await BusyAsync(request, became, cancellationToken)
            : ReleaseResult.Fail(ReleaseOutcome.Conflict, $"service {service.Name}: another release became active at the same moment");
    }

    /// <summary>The workflow name a group's revert release shows: <see cref="RevertSpec"/>, built in, not a document.</summary>
    public const string RevertWorkflow = "group-revert";

    /// <summary>What a revert carries out: deploy the old version, then promote it at once. The group has decided it goes back: nothing to analyse.</summary>
    public static readonly ReleaseWorkflowSpec RevertSpec = new() { Steps = [new DeployStep(null), new PromoteStep()] };

    /// <summary>
    /// Starts release <paramref name="id"/> of <paramref name="version"/>, the version a promoted member of a group release
    /// was promoted from, for that group (<paramref name="group"/>): it deploys that version and promotes it at once.
    /// Asked again with the same id, it answers the release it made.
    /// </summary>
    public async Task<ReleaseResult> RevertAsync(string service, string version, string id, GroupStart group, CancellationToken cancellationToken)
    {
        if ((await releases.GetAsync(id, cancellationToken)).State is { } earlier)
        {
            return new ReleaseResult(ReleaseOutcome.AlreadyStarted, earlier, []);
        }

        if (await documents.GetAsync(DocumentKind.Service, service, cancellationToken) is not MeshService mesh)
        {
            return ReleaseResult.Fail(ReleaseOutcome.NotFound, $"service: no Service named \"{service}\" to return to {version}");
        }

        var stable = await StableVersionAsync(mesh, version, cancellationToken);
        if (stable is null || stable == version)
        {
            return ReleaseResult.Fail(ReleaseOutcome.Invalid, $"service {service}: {(stable is null ? "cannot tell its stable version" : $"{version} is already its stable version")}, so there is nothing to return from");
        }

        var state = ReleaseDecider.Start(id, service, version, stable, RevertWorkflow, RevertSpec, $"group {group.Id}", time.GetUtcNow()).State with { Group = group.Id };
        return await releases.CreateAsync(state, null, cancellationToken, group.Revision) == ReleaseWriteOutcome.Written
            ? Started(state)
            : ReleaseResult.Fail(ReleaseOutcome.Conflict, $"service {service}: another release is active, or group {group.Id} changed meanwhile");
    }

    /// <summary>An operator's action on a release (pause, resume, abort, promote, promote --full, approve, reject, rollback).</summary>
    public async Task<ReleaseResult> ActAsync(string id, OperatorAction action, string actor, CancellationToken cancellationToken)
    {
        var result = await inputs.ApplyAsync(id, _ => new OperatorInput(action, actor), cancellationToken);
        return result.Outcome switch
        {
            InputOutcome.Applied => new ReleaseResult(ReleaseOutcome.Done, result.Release, []),
            InputOutcome.NotFound => ReleaseResult.Fail(ReleaseOutcome.NotFound, $"release: no release \"{id}\""),
            _ => new ReleaseResult(ReleaseOutcome.Conflict, result.Release, [$"{action.ToString().ToLowerInvariant()}: {result.Reason}"]),
        };
    }

    /// <summary>
    /// <c>rollback</c> of <paramref name="service"/>'s active release: inside its rollback window, all traffic goes back to
    /// the old version at once; 404 when no release of the service is active, 409 (with the release) when no window is open.
    /// </summary>
    public async Task<ReleaseResult> RollBackServiceAsync(string service, string actor, CancellationToken cancellationToken) =>
        await releases.ActiveAsync(service, cancellationToken) is { } active
            ? await ActAsync(active, OperatorAction.Rollback, actor, cancellationToken)
            : ReleaseResult.Fail(ReleaseOutcome.NotFound, $"service {service}: no release is active, so no rollback window is open; start a release of the old version to go back to it");

    /// <summary>Starts an ended release that did not succeed again: same service, version, workflow and arguments.</summary>
    public async Task<ReleaseResult> RetryAsync(string id, string actor, CancellationToken cancellationToken)
    {
        var (old, _) = await releases.GetAsync(id, cancellationToken);
        if (old is null)
        {
            return ReleaseResult.Fail(ReleaseOutcome.NotFound, $"release: no release \"{id}\"");
        }

        if (!old.IsFinished || old.Phase == ReleasePhase.Succeeded)
        {
            return new ReleaseResult(ReleaseOutcome.Conflict, old, [$"retry: release {id} is {old.Phase}; only an aborted, rolled back or failed release can be retried"]);
        }

        var started = await StartAsync(new StartRequest { Service = old.Service, Version = old.Version, Workflow = old.Workflow, Args = old.Args, Actor = actor }, cancellationToken);
        if (started is not { Outcome: ReleaseOutcome.Done, Release: { } release })
        {
            return started;
        }

        // Record where it came from; the new release is not running yet on this path, so one guarded write suffices.
        var (fresh, revision) = await releases.GetAsync(release.Id, cancellationToken);
        var marked = fresh! with { RetryOf = id, Events = [.. fresh.Events, new ReleaseEvent(time.GetUtcNow(), 0, ReleaseEvents.Retried, actor, $"retry of {id}")] };
        return await releases.SaveAsync(marked, revision, null, cancellationToken) == ReleaseWriteOutcome.Written
            ? new ReleaseResult(ReleaseOutcome.Done, marked, [])
            : new ReleaseResult(ReleaseOutcome.Done, fresh, []);
    }

    private static ReleaseResult Started(ReleaseState state)
    {
        Telemetry.ReleaseMetrics.Saved(null, state);
        return new ReleaseResult(ReleaseOutcome.Done, state, []);
    }

    /// <summary>The answer to a start whose id names <paramref name="earlier"/>: that release, if the earlier start asked for the same.</summary>
    private static ReleaseResult Again(StartRequest request, ReleaseState earlier) =>
        earlier.Service == request.Service && earlier.Version == request.Version && earlier.Workflow == request.Workflow
            ? new ReleaseResult(ReleaseOutcome.AlreadyStarted, earlier, [])
            : new ReleaseResult(ReleaseOutcome.Conflict, earlier,
                [$"release {earlier.Id} already exists as a release of {earlier.Service} {earlier.Version} with workflow {earlier.Workflow}, not {request.Service} {request.Version} with workflow {request.Workflow}: a new start needs a new idempotency key"]);

    private async Task<ReleaseResult> BusyAsync(StartRequest request, string active, CancellationToken cancellationToken)
    {
        var running = (await releases.GetAsync(active, cancellationToken)).State;
        if (running is not null && running.Id == request.Id)
        {
            // The same start, sent at the same moment: it made the active release.
            return Again(request, running);
        }

        return ReleaseResult.Fail(ReleaseOutcome.Conflict,
            $"service {request.Service} has an active release {active} ({running?.Version}, {running?.Phase}, step {running?.Step}): abort it, or start with supersede");
    }

    /// <summary>Ends <paramref name="active"/> for the new release (<see cref="ReleaseDecider.SupersedeAction"/>), and waits until it has ended.</summary>
    private async Task<ReleaseResult?> SupersedeAsync(string active, StartRequest request, CancellationToken cancellationToken)
    {
        var actor = $"{request.Actor} (superseded by {request.Version})";
        var ended = await inputs.ApplyAsync(
            active,
            state => new OperatorInput(ReleaseDecider.SupersedeAction(state), actor),
            cancellationToken);
        if (ended.Outcome is InputOutcome.Conflict)
        {
            return ReleaseResult.Fail(ReleaseOutcome.Conflict, $"supersede: release {active} could not be ended: {ended.Reason}");
        }

        // A new version never inherits half an analysis: wait until the old release has ended completely.
        var started = time.GetTimestamp();
        while (await releases.ActiveAsync(request.Service, cancellationToken) == active)
        {
            if (time.GetElapsedTime(started) > SupersedeTimeout)
            {
                return ReleaseResult.Fail(ReleaseOutcome.Conflict, $"supersede: release {active} has not ended after {SupersedeTimeout.TotalMinutes} min; try again");
            }

            await Task.Delay(SupersedePoll, time, cancellationToken);
        }

        return null;
    }

    private string NewId(string service, string version) =>
        $"{service}-{version.ToLowerInvariant()}-{time.GetUtcNow():yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";

    /// <summary>The stable version of <paramref name="service"/> as a start of <paramref name="newVersion"/> would see it; null when it cannot tell, or there is no such service.</summary>
    public async Task<string?> StableVersionOfAsync(string service, string newVersion, CancellationToken cancellationToken)
    {
        return await documents.GetAsync(DocumentKind.Service, service, cancellationToken) is MeshService mesh ? await StableVersionAsync(mesh, newVersion, cancellationToken) : null;
    }

    /// <summary>The service's stable version: <c>deploy.versions.stable</c>, else the stable subset's, else the one version its instances (other than <paramref name="newVersion"/>) run.</summary>
    private async Task<string?> StableVersionAsync(MeshService service, string newVersion, CancellationToken cancellationToken) =>
        service.Spec.Deploy?.StableVersion
        ?? await StableVersionAsync(service, newVersion, await documents.GetAsync(DocumentKind.DestinationRule, service.Name, cancellationToken), cancellationToken);

    /// <summary>As above, with <paramref name="namedRule"/>, the DestinationRule named after the service, read already (null when there is none).</summary>
    private async Task<string?> StableVersionAsync(MeshService service, string newVersion, Document? namedRule, CancellationToken cancellationToken) =>
        service.Spec.Deploy?.StableVersion
        ?? (await RuleOfAsync(service.Name, namedRule, cancellationToken))?.Spec.Subsets.FirstOrDefault(s => s.Name == ReleaseTraffic.StableSubset)?.Labels.GetValueOrDefault("version")
        ?? await OnlyLiveVersionAsync(service.Name, newVersion, cancellationToken);

    /// <summary>
    /// The service's DestinationRule: the one named after it when its host is the service, else the one of every rule
    /// whose host it is (validation allows one per host).
    /// </summary>
    private async Task<DestinationRule?> RuleOfAsync(string service, Document? namedRule, CancellationToken cancellationToken) =>
        namedRule is DestinationRule { Spec.Host: var host } named && host == service
            ? named
            : ServiceRules.RuleOf(await documents.ListAsync(DocumentKind.DestinationRule, cancellationToken), service);

    private async Task<string?> OnlyLiveVersionAsync(string service, string newVersion, CancellationToken cancellationToken)
    {
        var versions = (await registry.ListAsync(service, cancellationToken)).Select(i => i.Instance.Version).Where(v => v != newVersion).Distinct().ToList();
        return versions.Count == 1 ? versions[0] : null;
    }

    // What a start request must satisfy, every problem reported at once.

    private static List<string> Check(StartRequest request, MeshService service, string? stable, ReleaseWorkflow workflow, IReadOnlyList<AnalysisTemplate> templates)
    {
        var errors = new List<string>();
        if (request.Version.Length == 0 || Names.CheckLabelValue(request.Version) is not null)
        {
            errors.Add($"version: \"{request.Version}\" is not a valid version label: {Names.CheckLabelValue(request.Version) ?? "it is empty"}");
        }

        if (stable is null)
        {
            errors.Add($"service: cannot tell the stable version of {service.Name}: give it deploy.stableVersion, a DestinationRule subset \"stable\", or running instances of one version");
        }
        else if (stable == request.Version)
        {
            errors.Add($"version: {request.Version} is already the stable version of {service.Name}");
        }

        if (request.Image is { } image)
        {
            var colon = image.LastIndexOf(':');
            var (repository, tag) = colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, request.Version);
            if (service.Spec.Deploy is not { } deploy)
            {
                errors.Add($"image: {service.Name} is not deployed by LightMesh (no deploy section), so no image can be given");
            }
            else if (repository != deploy.Image || tag != request.Version)
            {
                errors.Add($"image: \"{image}\" must be {deploy.Image}:{request.Version} (the service's repository, tagged with the version)");
            }
        }

        foreach (var (key, _) in request.Args.Where(a => string.IsNullOrWhiteSpace(a.Key)))
        {
            errors.Add($"args: an argument has an empty name (\"{key}\")");
        }

        // An argument is a value for a template the workflow runs: only declared names, each a value its uses take.
        var named = request.Args.Where(a => !string.IsNullOrWhiteSpace(a.Key)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        errors.AddRange(TemplateArguments.Check(templates, named, builtInGiven: false, $"workflow {workflow.Name}").Select(p => $"args.{p.Name}: {p.Message}"));

        return errors;
    }
}
