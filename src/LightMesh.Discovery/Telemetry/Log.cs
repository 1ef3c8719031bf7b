using Microsoft.Extensions.Logging;

namespace LightMesh.Discovery.Telemetry;

/// <summary>Log messages of the discovery library.</summary>
internal static partial class Log
{
    [LoggerMessage(8001, LogLevel.Information, "Registered {Service}/{Id} ({Version}) at {Address}:{Port}")]
    public static partial void Registered(ILogger logger, string service, string id, string version, string address, int port);

    [LoggerMessage(8002, LogLevel.Warning, "Could not register {Service}/{Id} yet: {Reason}; trying again in {Delay}")]
    public static partial void RegistrationRefused(ILogger logger, string service, string id, string reason, TimeSpan delay);

    [LoggerMessage(8003, LogLevel.Warning, "Could not register {Service}/{Id} yet ({Reason}); trying again in {Delay}")]
    public static partial void RegistrationFailed(ILogger logger, string service, string id, string reason, TimeSpan delay);

    [LoggerMessage(8004, LogLevel.Information, "Deregistered {Service}/{Id}: its lease is revoked; serving on for {DrainDelay} while clients move away")]
    public static partial void Deregistered(ILogger logger, string service, string id, TimeSpan drainDelay);

    [LoggerMessage(8005, LogLevel.Warning, "Could not revoke the lease of {Service}/{Id}; it lapses within {Ttl}")]
    public static partial void DeregistrationFailed(ILogger logger, string service, string id, TimeSpan ttl, Exception exception);

    [LoggerMessage(8006, LogLevel.Error, "Not registering {Service}: Port (LIGHTMESH_PORT or PORT) is not set and the server reported no bound address")]
    public static partial void NoPort(ILogger logger, string service);

    [LoggerMessage(8007, LogLevel.Information, "LIGHTMESH_ADDRESS is not set; registering {Service} at {Address}")]
    public static partial void AddressDefaulted(ILogger logger, string service, string address);

    [LoggerMessage(8008, LogLevel.Warning, "etcd no longer holds {Service}/{Id} and its keep-alive did not win it back; registering again")]
    public static partial void RegistrationLost(ILogger logger, string service, string id);

    [LoggerMessage(8101, LogLevel.Debug, "etcd:///{Service} resolved to {Count} addresses at revision {Revision}")]
    public static partial void Resolved(ILogger logger, string service, int count, long revision);

    [LoggerMessage(8102, LogLevel.Warning, "etcd:///{Service} could not read etcd; retrying in {Delay}")]
    public static partial void ResolveFailed(ILogger logger, string service, TimeSpan delay, Exception exception);

    [LoggerMessage(8103, LogLevel.Warning, "etcd:///{Service} skipped the value at {Key}: not an instance")]
    public static partial void InstanceSkipped(ILogger logger, string service, string key);
}
