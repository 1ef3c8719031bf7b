using Microsoft.Extensions.Logging;

namespace LightMesh.Etcd.Telemetry;

/// <summary>Log messages of the etcd adapter.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Warning, "Watch on {Prefix} lost its stream at revision {Revision}; resuming in {Delay}")]
    public static partial void WatchInterrupted(ILogger logger, string prefix, long revision, TimeSpan delay, Exception exception);

    [LoggerMessage(1002, LogLevel.Warning, "Watch on {Prefix} could not resume at revision {Revision}: compacted at {CompactRevision}; resynchronising from a full read")]
    public static partial void WatchCompacted(ILogger logger, string prefix, long revision, long compactRevision);

    [LoggerMessage(1101, LogLevel.Information, "Registered instance {Service}/{Id} under lease {Lease} (TTL {Ttl})")]
    public static partial void InstanceRegistered(ILogger logger, string service, string id, long lease, TimeSpan ttl);

    [LoggerMessage(1102, LogLevel.Warning, "Lease of instance {Service}/{Id} expired; registering it again")]
    public static partial void LeaseExpired(ILogger logger, string service, string id);

    [LoggerMessage(1103, LogLevel.Warning, "Keep-alive of instance {Service}/{Id} failed; retrying in {Delay}")]
    public static partial void KeepAliveFailed(ILogger logger, string service, string id, TimeSpan delay, Exception exception);
}
