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

    [LoggerMessage(8201, LogLevel.Information, "xDS: opening ADS stream {Generation} to {Server}")]
    public static partial void XdsConnecting(ILogger logger, Uri server, long generation);

    [LoggerMessage(8202, LogLevel.Warning, "xDS: the ADS stream to {Server} ended ({Reason}); channels keep their last configuration; opening one to {Next} in {Delay}")]
    public static partial void XdsStreamEnded(ILogger logger, Uri server, string reason, Uri next, TimeSpan delay);

    [LoggerMessage(8203, LogLevel.Warning, "xDS: NACK {Type} version {Version} (staying on version {Accepted}): {Errors}")]
    public static partial void XdsRejected(ILogger logger, string type, string version, string accepted, string errors);

    [LoggerMessage(8204, LogLevel.Debug, "xDS: ACK {Type} version {Version} ({Count} resources)")]
    public static partial void XdsAccepted(ILogger logger, string type, string version, int count);

    [LoggerMessage(8205, LogLevel.Warning, "xDS: {Type} {Name} does not exist: not received within {Timeout} of asking")]
    public static partial void XdsResourceMissing(ILogger logger, string type, string name, TimeSpan timeout);

    [LoggerMessage(8206, LogLevel.Warning, "xDS: {Type} {Name} was deleted: the control plane no longer sends it")]
    public static partial void XdsResourceDeleted(ILogger logger, string type, string name);

    [LoggerMessage(8207, LogLevel.Debug, "xDS: could not send a {Type} request ({Reason}); opening the stream again")]
    public static partial void XdsRequestFailed(ILogger logger, string type, string reason);

    [LoggerMessage(8208, LogLevel.Warning, "xDS: ignored a response of type {Type}, which this client does not ask for")]
    public static partial void XdsUnknownType(ILogger logger, string type);

    [LoggerMessage(8209, LogLevel.Error, "xDS: the client failed to handle an event")]
    public static partial void XdsWorkFailed(ILogger logger, Exception exception);

    [LoggerMessage(8210, LogLevel.Error, "xDS: a watcher of {Type} {Name} failed")]
    public static partial void XdsWatcherFailed(ILogger logger, string type, string name, Exception exception);

    [LoggerMessage(8301, LogLevel.Debug, "xds:///{Target}: virtual host {VirtualHost}, {Routes} routes, {Clusters} clusters, {Endpoints} endpoints")]
    public static partial void XdsResolved(ILogger logger, string target, string virtualHost, int routes, int clusters, int endpoints);

    [LoggerMessage(8302, LogLevel.Warning, "xds:///{Target}: calls fail: {Reason}")]
    public static partial void XdsResolveFailed(ILogger logger, string target, string reason);

    [LoggerMessage(8303, LogLevel.Warning, "xds:///{Target}: keeps the last good {Type} {Name}: {Error}")]
    public static partial void XdsKeptLastGood(ILogger logger, string target, string type, string name, string error);
}
