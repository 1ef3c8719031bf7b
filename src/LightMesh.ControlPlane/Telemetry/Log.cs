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

    [LoggerMessage(2007, LogLevel.Error, "{What} stopped; retrying in {Delay}")]
    public static partial void StoppedRetrying(ILogger logger, string what, TimeSpan delay, Exception exception);

    [LoggerMessage(2017, LogLevel.Error, "{What} returned while the controller runs; starting it again in {Delay}")]
    public static partial void ReturnedRestarting(ILogger logger, string what, TimeSpan delay);

    [LoggerMessage(2011, LogLevel.Warning, "Controller {Name} stopped reporting its {Proxies} proxies (its lease lapsed or was revoked); they count as unknown until they show up on another controller")]
    public static partial void ControllerGone(ILogger logger, string name, int proxies);

    [LoggerMessage(2012, LogLevel.Error, "Controller {Name} no longer vouches for its proxies: its watch of etcd did not see revision {Revision} within {Ttl} (it is at {Watched}); the report is withdrawn until it catches up")]
    public static partial void WatchBehind(ILogger logger, string name, long revision, long watched, TimeSpan ttl);

    [LoggerMessage(2013, LogLevel.Information, "Controller {Name}'s watch of etcd caught up (revision {Revision}); reporting its proxies again")]
    public static partial void WatchCaughtUp(ILogger logger, string name, long revision);

    [LoggerMessage(2014, LogLevel.Warning, "Could not report this controller's proxies as {Name}; trying again in {Delay}")]
    public static partial void ReportFailed(ILogger logger, string name, TimeSpan delay, Exception exception);

    [LoggerMessage(2015, LogLevel.Warning, "{Key} was written by another holder (lease {Lease}): is another controller running with the same name? Overwriting it")]
    public static partial void ReportOverwritten(ILogger logger, string key, long lease);

    [LoggerMessage(2016, LogLevel.Error, "Could not build the xDS snapshot at revision {Revision}; the proxies keep revision {Served}, and the next change is tried again")]
    public static partial void TranslationFailed(ILogger logger, long revision, long served, Exception exception);
}
