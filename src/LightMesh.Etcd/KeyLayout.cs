using LightMesh.Core.Documents;

namespace LightMesh.Etcd;

/// <summary>
/// Every key LightMesh writes, in one place. Under the prefix (default <c>/lightmesh/</c>):
/// <c>services/{name}</c>, <c>nodes/{name}</c>, <c>virtualservices/{name}</c>, <c>destinationrules/{name}</c>
/// (documents, JSON), <c>instances/{service}/{id}</c> (live instances, JSON, each under a lease),
/// <c>compose/{node}/current</c> and <c>compose/{node}/history/{sequence}</c> (applied node revisions), and
/// <c>locks/compose/{node}</c> (held, under a lease, while a node is being applied), and <c>leaders/{election}</c>
/// (the current leader's id, under its lease), <c>releases/{id}</c> (a release's state and events, JSON),
/// <c>activereleases/{service}</c> (the id of the service's one active release), <c>releaseindex/{order}/{id}</c> (every
/// release in list order, newest start first: its service, phase, start and end, JSON), <c>analyses/{release}/{run}</c>
/// (one analysis run's metrics with their kept measurements, JSON; <c>run</c> is the run's first metric's position in the
/// release's analyses, 4 digits), and WorkflowCore's state:
/// <c>workflows/instances/{id}</c> (a workflow instance, JSON), <c>workflows/runnable/{id}</c> (its next execution
/// in ticks, present only while it has one), <c>workflows/events/{id}</c>, <c>workflows/subscriptions/{id}</c>,
/// <c>workflows/eventindex/{name}/{key}/{id}</c> and <c>workflows/subscriptionindex/{name}/{key}/{id}</c> (empty: the
/// events and subscriptions of one event name and key),
/// <c>workflows/errors/{id}</c> (JSON) and <c>locks/workflows/{id}</c> (the holder's name, under the leader's lease), and
/// <c>auth/initialadmin</c> (the SHA-256 of the initial admin token, JSON; never the token), <c>console/keys/{name}</c> (the
/// console's Data Protection keys, XML), and
/// <c>hooks/deliveries/{provider}/{id}</c> (a CI webhook delivery: the release it started, or that it is being handled),
/// <c>announcements/{service}</c> (the newest version CI announced, JSON) and <c>firings/{schedule}</c> (what a Schedule
/// fired last, JSON), <c>notified/{release}</c> (how many of the release's events its notification URLs were told), and
/// <c>controlplanes/{controller}</c> (the proxies connected to one controller and what each ACKed, JSON, under that
/// controller's lease), and <c>userwrite</c> (what the last write of documents that was not a release's own changed;
/// its revision is what a release's write that creates a document is guarded by).
/// </summary>
public sealed class KeyLayout(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>The folder holding every document of <paramref name="kind"/>.</summary>
    public string Documents(DocumentKind kind) => $"{Prefix}{DocumentKinds.PluralOf(kind)}/";

    public string Document(DocumentKind kind, string name) => $"{Documents(kind)}{name}";

    /// <summary>
    /// The folders the mesh is made of: every document kind's and the instances'. Read instead of the whole prefix,
    /// which also holds the release history and WorkflowCore's records.
    /// </summary>
    public IReadOnlyList<string> MeshFolders => [.. DocumentKinds.All.Select(Documents), AllInstances];

    /// <summary>The folder holding the instances of every service.</summary>
    public string AllInstances => $"{Prefix}instances/";

    public string Instances(string service) => $"{AllInstances}{service}/";

    public string Instance(string service, string id) => $"{Instances(service)}{id}";

    /// <summary>Which document a key holds, if it is a document key under this prefix.</summary>
    public bool TryReadDocumentKey(string key, out DocumentKind kind, out string name)
    {
        foreach (var candidate in DocumentKinds.All)
        {
            var folder = Documents(candidate);
            if (key.StartsWith(folder, StringComparison.Ordinal) && key.Length > folder.Length && !key.AsSpan(folder.Length).Contains('/'))
            {
                kind = candidate;
                name = key[folder.Length..];
                return true;
            }
        }

        kind = default;
        name = "";
        return false;
    }

    /// <summary>The node revision applied last.</summary>
    public string NodeRevisionCurrent(string node) => $"{Prefix}compose/{node}/current";

    /// <summary>The folder of every revision applied to a node, oldest first (keys sort by sequence).</summary>
    public string NodeRevisionHistory(string node) => $"{Prefix}compose/{node}/history/";

    public string NodeRevision(string node, long sequence) => $"{NodeRevisionHistory(node)}{sequence:D10}";

    /// <summary>Held while a node is being applied, so two applies never interleave.</summary>
    public string NodeLock(string node) => $"{Prefix}locks/compose/{node}";

    /// <summary>A release's state and event log.</summary>
    public string Release(string id) => $"{Prefix}releases/{id}";

    public string Releases => $"{Prefix}releases/";

    /// <summary>The id of the one active release of a service.</summary>
    public string ActiveRelease(string service) => $"{ActiveReleases}{service}";

    public string ActiveReleases => $"{Prefix}activereleases/";

    /// <summary>A group release's state and event log.</summary>
    public string Group(string id) => $"{Groups}{id}";

    public string Groups => $"{Prefix}groups/";

    /// <summary>The id of the active group release a service is a member of.</summary>
    public string ActiveGroup(string service) => $"{ActiveGroups}{service}";

    public string ActiveGroups => $"{Prefix}activegroups/";

    /// <summary>A group release with transitions its notification URLs have not been told yet (no value: the key is the index).</summary>
    public string UntoldGroup(string id) => $"{UntoldGroups}{id}";

    public string UntoldGroups => $"{Prefix}untoldgroups/";

    /// <summary>The folder of the release index: one small entry per release, in list order (newest start first).</summary>
    public string ReleaseIndex => $"{Prefix}releaseindex/";

    /// <summary>A release's entry in the index; the order part makes a later start sort first, ties by id.</summary>
    public string ReleaseIndexEntry(DateTimeOffset startedAt, string id) => $"{ReleaseIndex}{ReleaseOrder(startedAt)}/{id}";

    /// <summary>19 digits that sort a later <paramref name="startedAt"/> before an earlier one.</summary>
    public static string ReleaseOrder(DateTimeOffset startedAt) =>
        (DateTimeOffset.MaxValue.UtcTicks - startedAt.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The folder of every release's analysis runs.</summary>
    public string AllAnalyses => $"{Prefix}analyses/";

    /// <summary>The folder of one release's analysis runs, oldest first (keys sort by position).</summary>
    public string Analyses(string releaseId) => $"{AllAnalyses}{releaseId}/";

    /// <summary>One analysis run of a release, named by the position of its first metric in the release's analyses.</summary>
    public string AnalysisRun(string releaseId, int first) => $"{Analyses(releaseId)}{first.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Held, under the leader's lease, by the one controller allowed to run releases.</summary>
    public string Leader(string election) => $"{Prefix}leaders/{election}";

    /// <summary>The folder of every workflow instance.</summary>
    public string WorkflowInstances => $"{Prefix}workflows/instances/";

    public string WorkflowInstance(string id) => $"{WorkflowInstances}{id}";

    /// <summary>The folder of the instances that have a next execution time: the only ones a poller needs to read.</summary>
    public string RunnableWorkflows => $"{Prefix}workflows/runnable/";

    public string RunnableWorkflow(string id) => $"{RunnableWorkflows}{id}";

    public string WorkflowEvents => $"{Prefix}workflows/events/";

    public string WorkflowEvent(string id) => $"{WorkflowEvents}{id}";

    public string WorkflowSubscriptions => $"{Prefix}workflows/subscriptions/";

    public string WorkflowSubscription(string id) => $"{WorkflowSubscriptions}{id}";

    /// <summary>
    /// The index of the events of one name and key (a release's wake-ups): an empty key per event, so finding them is a
    /// read of a few keys, not of every event. Name and key are percent-encoded.
    /// </summary>
    public string WorkflowEventsFor(string eventName, string eventKey) => $"{WorkflowEventIndex}{Uri.EscapeDataString(eventName)}/{Uri.EscapeDataString(eventKey)}/";

    /// <summary>The folder of the index of the events by name and key (<see cref="WorkflowEventsFor"/>).</summary>
    public string WorkflowEventIndex => $"{Prefix}workflows/eventindex/";

    /// <summary>The index of the subscriptions (waits) for one event name and key, as <see cref="WorkflowEventsFor"/> is for events.</summary>
    public string WorkflowSubscriptionsFor(string eventName, string eventKey) => $"{WorkflowSubscriptionIndex}{Uri.EscapeDataString(eventName)}/{Uri.EscapeDataString(eventKey)}/";

    /// <summary>The folder of the index of the subscriptions by event name and key.</summary>
    public string WorkflowSubscriptionIndex => $"{Prefix}workflows/subscriptionindex/";

    public string WorkflowErrors => $"{Prefix}workflows/errors/";

    public string WorkflowError(string id) => $"{WorkflowErrors}{id}";

    /// <summary>Held while a workflow engine works on <paramref name="id"/> (an instance, an event, or a poll).</summary>
    public string WorkflowLock(string id) => $"{Prefix}locks/workflows/{id}";

    /// <summary>Where the leader may compact etcd's history up to next: this key's mod revision, set at the time it holds.</summary>
    public string CompactionMark => $"{Prefix}compaction";

    /// <summary>The SHA-256 of the admin token a controller made at its first start, when no token was configured.</summary>
    public string InitialAdmin => $"{Prefix}auth/initialadmin";

    /// <summary>The folder of the console's Data Protection keys (XML), which sign and encrypt its session cookies and form tokens.</summary>
    public string ConsoleKeys => $"{Prefix}console/keys/";

    /// <summary>One console Data Protection key, by its name.</summary>
    public string ConsoleKey(string name) => $"{ConsoleKeys}{name}";

    public string ConsoleLinks => $"{Prefix}console/links/";

    /// <summary>A one-time console sign-in link, by the SHA-256 (hex) of its code; leased, so it goes when it expires.</summary>
    public string ConsoleLink(string codeSha256) => $"{ConsoleLinks}{codeSha256}";

    /// <summary>A CI webhook delivery, by provider (github, gitlab, generic) and delivery id: what it started.</summary>
    public string HookDelivery(string provider, string id) => $"{HookDeliveries}{provider}/{id}";

    /// <summary>The newest version CI announced for a service, which a Schedule without a version releases.</summary>
    public string Announcement(string service) => $"{Announcements}{service}";

    public string Announcements => $"{Prefix}announcements/";

    /// <summary>What a Schedule fired last: the firing time acted on, the release it started, the outcome.</summary>
    public string Firing(string schedule) => $"{Firings}{schedule}";

    public string Firings => $"{Prefix}firings/";

    /// <summary>How many of a release's events have been told to its workflow's notification URLs.</summary>
    public string Notified(string releaseId) => $"{AllNotified}{releaseId}";

    public string AllNotified => $"{Prefix}notified/";

    /// <summary>The folder of every recorded webhook delivery.</summary>
    public string HookDeliveries => $"{Prefix}hooks/deliveries/";

    /// <summary>The folder of every controller's report of its proxies.</summary>
    public string ControlPlanes => $"{Prefix}controlplanes/";

    /// <summary>The proxies connected to one controller, written by it under its own lease.</summary>
    public string ControlPlane(string controller) => $"{ControlPlanes}{controller}";

    /// <summary>
    /// Put by every write of documents that is not a release's own (an apply, a delete, a weight change), in the same
    /// transaction: a release's write that creates a document is guarded by this key, not by every document of its kind.
    /// </summary>
    public string UserWrite => $"{Prefix}userwrite";

    public bool IsInstanceKey(string key) => key.StartsWith(AllInstances, StringComparison.Ordinal);
}
