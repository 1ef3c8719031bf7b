namespace LightMesh.Releases;

/// <summary>How the release engine runs: its timeouts and delays, and how it campaigns for leadership.</summary>
public sealed record ReleaseEngineOptions
{
    /// <summary>How long a traffic change may take to reach every proxy before its step fails.</summary>
    public TimeSpan ConvergenceTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a deploy may take until the canary's instances are registered.</summary>
    public TimeSpan DeployTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a version that no longer gets traffic keeps running, so requests in flight finish.</summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the background analysis of a release runs its templates again.</summary>
    public TimeSpan BackgroundInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A release waiting for an operator is checked this often even without a wake-up, in case one was lost.</summary>
    public TimeSpan RecheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A command that could not be carried out for a reason that may pass (etcd, a Docker Engine or Prometheus unreachable,
    /// a node busy) is tried again after this, doubled with each try up to <see cref="MaxRetryDelay"/>.
    /// </summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two tries of a command.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often the workflow host looks for releases due to run. Wake-ups reach the host at once through
    /// <see cref="Runs.WakeUpFeed"/>; the poll finds only what that missed.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the leader looks for schedules that are due; a firing starts at most this late.</summary>
    public TimeSpan ScheduleInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the leader looks at its active group releases (members to start, to roll back, actions to carry) and tells their notifications.</summary>
    public TimeSpan GroupInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the leader counts the stored releases by phase for <c>lightmesh_releases</c>.</summary>
    public TimeSpan PhaseCountInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Measurements kept of each analysis metric, the newest; older ones are counted (<c>measured</c>) but not kept.</summary>
    public int MeasurementRetention { get; init; } = 10;

    /// <summary>Ended releases kept per service, the most recently ended; older ones are deleted with their analyses.</summary>
    public int ReleaseHistory { get; init; } = 20;

    /// <summary>An ended release is deleted this long after it ended, even if fewer than <see cref="ReleaseHistory"/> remain.</summary>
    public TimeSpan ReleaseHistoryAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How often the leader deletes the ended releases past retention (and indexes any stored before the index).</summary>
    public TimeSpan HistoryInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Releases carried out at the same time; the others wait their turn.</summary>
    public int MaxConcurrentReleases { get; init; } = 64;

    /// <summary>WorkflowCore's processed events and finished workflows are deleted this long after (the releases themselves follow <see cref="ReleaseHistory"/> and <see cref="ReleaseHistoryAge"/>).</summary>
    public TimeSpan WorkflowRetention { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the leader compacts etcd's history, keeping at least this much of it (see
    /// <see cref="Etcd.Maintenance.HistoryCompactor"/>); <see cref="TimeSpan.Zero"/> leaves etcd's history to etcd's own
    /// <c>--auto-compaction-*</c> settings.
    /// </summary>
    public TimeSpan EtcdCompactionInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The leadership lease: a standby takes over this long after the leader stops renewing it.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>This controller's name in the leader election.</summary>
    public string Candidate { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>The Prometheus an AnalysisTemplate without an address of its own asks.</summary>
    public Uri Prometheus { get; init; } = new("http://127.0.0.1:9090/");
}
