using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Telemetry;

/// <summary>Log messages of the release engine; every line about a release names it, its service and its step.</summary>
internal static partial class Log
{
    [LoggerMessage(4001, LogLevel.Information, "Release {ReleaseId} ({Service}) step {Step}: carrying out {Command}")]
    public static partial void CarryingOut(ILogger logger, string releaseId, string service, int step, string command);

    [LoggerMessage(4002, LogLevel.Information, "Release {ReleaseId} ({Service}) step {Step}: changed while its command ran; deciding again")]
    public static partial void CommandInterrupted(ILogger logger, string releaseId, string service, int step);

    [LoggerMessage(4003, LogLevel.Warning, "Release {ReleaseId} ({Service}) step {Step}: no progress ({Reason}); trying again later")]
    public static partial void NoProgress(ILogger logger, string releaseId, string service, int step, string reason);

    [LoggerMessage(4004, LogLevel.Warning, "Release {ReleaseId} has no state in etcd; its workflow ends")]
    public static partial void ReleaseMissing(ILogger logger, string releaseId);

    [LoggerMessage(4005, LogLevel.Warning, "Release {ReleaseId} ({Service}): background analysis failed: {Reason}")]
    public static partial void BackgroundFailed(ILogger logger, string releaseId, string service, string reason);

    [LoggerMessage(4006, LogLevel.Warning, "Release {ReleaseId}: background analysis interrupted; it starts again when the release next runs")]
    public static partial void BackgroundInterrupted(ILogger logger, string releaseId, Exception exception);

    /// <summary><paramref name="subject"/>: <c>release ID (SERVICE)</c>, or <c>group release ID (WORKFLOW)</c>.</summary>
    [LoggerMessage(4007, LogLevel.Warning, "Notification of {Subject} to {Url} answered {Status}")]
    public static partial void NotificationRefused(ILogger logger, string subject, string url, int status);

    /// <summary><paramref name="subject"/>: <c>release ID (SERVICE)</c>, or <c>group release ID (WORKFLOW)</c>.</summary>
    [LoggerMessage(4008, LogLevel.Warning, "Notification of {Subject} to {Url} failed: {Reason}")]
    public static partial void NotificationFailed(ILogger logger, string subject, string url, string reason);

    [LoggerMessage(4010, LogLevel.Warning, "Release {ReleaseId} ({Service}) step {Step}: {Command} failed (transient: {Transient})")]
    public static partial void CommandFailed(ILogger logger, string releaseId, string service, int step, string command, bool transient, Exception exception);

    [LoggerMessage(4011, LogLevel.Warning, "Release {ReleaseId}: waking it failed; trying again in {Delay}")]
    public static partial void WakeFailed(ILogger logger, string releaseId, TimeSpan delay, Exception exception);

    [LoggerMessage(4012, LogLevel.Warning, "The sweep of active releases failed; trying again in {Interval}")]
    public static partial void SweepFailed(ILogger logger, TimeSpan interval, Exception exception);

    [LoggerMessage(4018, LogLevel.Information, "Group {GroupId}: {Action}: {Reason}")]
    public static partial void GroupEvent(ILogger logger, string groupId, string action, string reason);

    [LoggerMessage(4019, LogLevel.Warning, "Group {GroupId}: {Command} of {Service} refused: {Errors}")]
    public static partial void GroupCommandRefused(ILogger logger, string groupId, string service, string command, string errors);

    [LoggerMessage(4020, LogLevel.Warning, "The round of active group releases failed; trying again in {Interval}")]
    public static partial void GroupsFailed(ILogger logger, TimeSpan interval, Exception exception);

    [LoggerMessage(4021, LogLevel.Warning, "Group {GroupId} could not be moved on; trying again in {Interval}")]
    public static partial void GroupFailed(ILogger logger, string groupId, TimeSpan interval, Exception exception);

    [LoggerMessage(4017, LogLevel.Warning, "Following {Prefix} to hand wake-ups over at once failed; the host's poll delivers them meanwhile, and it tries again in {Delay}")]
    public static partial void WakeUpFeedFailed(ILogger logger, string prefix, TimeSpan delay, Exception exception);

    [LoggerMessage(4013, LogLevel.Warning, "Release {ReleaseId} ({Service}): background analysis could not measure ({Reason}); measuring again at the next interval")]
    public static partial void BackgroundUnreachable(ILogger logger, string releaseId, string service, string reason);

    [LoggerMessage(4014, LogLevel.Warning, "Release {ReleaseId}: its workflow could not be started now; the sweep starts it")]
    public static partial void EnsureWorkflowFailed(ILogger logger, string releaseId, Exception exception);

    [LoggerMessage(4015, LogLevel.Warning, "Release {ReleaseId} ({Service}) step {Step}: what its analysis could not measure was not saved to its status ({Reason}); the analysis goes on")]
    public static partial void StatusNotSaved(ILogger logger, string releaseId, string service, int step, string reason, Exception? exception);

    [LoggerMessage(4101, LogLevel.Information, "Leading the release engine as {Candidate} (term at revision {Revision}); {Active} active release(s)")]
    public static partial void Leading(ILogger logger, string candidate, long revision, int active);

    [LoggerMessage(4102, LogLevel.Warning, "Leadership of the release engine lost by {Candidate}; stopping its workflow host")]
    public static partial void LeadershipLost(ILogger logger, string candidate);

    [LoggerMessage(4103, LogLevel.Error, "The release engine failed; campaigning again in {Delay}")]
    public static partial void EngineFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(4201, LogLevel.Information, "Schedule {Schedule}: firing of {ScheduledAt:u} {Outcome}: {Message}")]
    public static partial void Fired(ILogger logger, string schedule, DateTimeOffset scheduledAt, string outcome, string message);

    [LoggerMessage(4202, LogLevel.Warning, "Schedules could not be checked; trying again")]
    public static partial void SchedulesFailed(ILogger logger, Exception exception);

    [LoggerMessage(4301, LogLevel.Information, "Release history: {Count} release(s) stored before the release index were indexed")]
    public static partial void HistoryIndexed(ILogger logger, int count);

    [LoggerMessage(4302, LogLevel.Information, "Release history: {Count} ended release(s) past retention deleted (keeping {Keep} per service, none ended before {Oldest:u})")]
    public static partial void HistoryDeleted(ILogger logger, int count, int keep, DateTimeOffset oldest);

    [LoggerMessage(4306, LogLevel.Information, "Release history: {Count} ended group release(s) past retention deleted (keeping {Keep} per group workflow, none ended before {Oldest:u})")]
    public static partial void GroupHistoryDeleted(ILogger logger, int count, int keep, DateTimeOffset oldest);

    [LoggerMessage(4303, LogLevel.Warning, "Release history: {Key} is not a release ({Problem}); it is neither listed nor deleted")]
    public static partial void HistoryUnreadable(ILogger logger, string key, string problem);

    [LoggerMessage(4304, LogLevel.Warning, "Release history: retention interrupted; trying again at the next round")]
    public static partial void HistoryInterrupted(ILogger logger, Exception exception);

    [LoggerMessage(4016, LogLevel.Warning, "Notifications: {Key} is not a release ({Problem}); nothing is told of it")]
    public static partial void NotificationUnreadable(ILogger logger, string key, string problem);

    [LoggerMessage(4009, LogLevel.Warning, "Notifications interrupted; telling again from what etcd says was told")]
    public static partial void NotificationsInterrupted(ILogger logger, Exception exception);

    [LoggerMessage(4307, LogLevel.Information, "etcd history compacted up to revision {Revision} (keeping at least {Period} of it)")]
    public static partial void EtcdCompacted(ILogger logger, long revision, TimeSpan period);

    [LoggerMessage(4308, LogLevel.Warning, "etcd history compaction interrupted; trying again in {Period}")]
    public static partial void EtcdCompactionInterrupted(ILogger logger, TimeSpan period, Exception exception);

    [LoggerMessage(4309, LogLevel.Warning, "Workflow records past retention could not be purged; trying again in {Interval}")]
    public static partial void PurgeFailed(ILogger logger, TimeSpan interval, Exception exception);

    [LoggerMessage(4310, LogLevel.Warning, "Workflow records: {Count} could not be read and are kept, the rest purged ({Keys}); a version that knows their data types reads them")]
    public static partial void PurgeKeptUnreadable(ILogger logger, int count, string keys);

    [LoggerMessage(4305, LogLevel.Warning, "Release {Release} step {Step}: analysis {Template}, metric {Metric}, could not measure: {Error}; it measures again at its interval, and the run ends in error at its error limit")]
    public static partial void AnalysisMeasurementFailed(ILogger logger, string release, int step, string template, string metric, string error);
}
