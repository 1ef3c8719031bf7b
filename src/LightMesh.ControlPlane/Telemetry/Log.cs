using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Telemetry;

/// <summary>Log messages of the control plane.</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Warning, "Skipped the value at {Key}: {Reason}")]
    public static partial void StoredValueSkipped(ILogger logger, string key, string reason);

    [LoggerMessage(2002, LogLevel.Information, "Published xDS snapshot at revision {Revision} to {Proxies} proxies in {Elapsed}")]
    public static partial void Published(ILogger logger, long revision, int proxies, TimeSpan elapsed);

    [LoggerMessage(2003, LogLevel.Warning, "Not sent at revision {Revision}: {Problem}")]
    public static partial void Withheld(ILogger logger, long revision, string problem);

    [LoggerMessage(2008, LogLevel.Information, "Sent again at revision {Revision}; this no longer holds: {Problem}")]
    public static partial void NoLongerWithheld(ILogger logger, long revision, string problem);

    [LoggerMessage(2004, LogLevel.Information, "Proxy {NodeId} connected on stream {StreamId}")]
    public static partial void ProxyConnected(ILogger logger, string nodeId, string streamId);

    [LoggerMessage(2005, LogLevel.Information, "Stream {StreamId} of proxy {NodeId} ended")]
    public static partial void ProxyDisconnected(ILogger logger, string streamId, string nodeId);

    [LoggerMessage(2006, LogLevel.Warning, "Proxy {NodeId} rejected {Type} version {Version}: {Error}")]
    public static partial void Nacked(ILogger logger, string nodeId, string type, string version, string error);

    [LoggerMessage(2009, LogLevel.Warning, "Ended stream {StreamId} of proxy {NodeId}: {Reason}")]
    public static partial void StreamRefused(ILogger logger, string streamId, string nodeId, string reason);

    [LoggerMessage(2010, LogLevel.Warning, "Anonymous proxies are allowed (Xds:AllowAnonymous): any client that reaches {Listen} may subscribe and hold up releases by never ACKing; use this only for trying LightMesh on one machine")]
    public static partial void AnonymousAllowed(ILogger logger, string listen);

    [LoggerMessage(2007, LogLevel.Error, "The etcd mesh source stopped; retrying in {Delay}")]
    public static partial void SourceFailed(ILogger logger, TimeSpan delay, Exception exception);
}
