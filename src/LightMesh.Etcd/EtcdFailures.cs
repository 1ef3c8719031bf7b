using System.Net.Sockets;
using Grpc.Core;

namespace LightMesh.Etcd;

/// <summary>
/// What a failed call to one etcd member says: whether the member is away (try another), and whether the request
/// certainly never reached etcd (so even a write may be sent again) or may have been applied.
/// </summary>
public static class EtcdFailures
{
    /// <summary>True for failures that mean "etcd is not there right now" rather than "etcd said no".</summary>
    public static bool IsUnavailable(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown;

    /// <summary>
    /// True when the member did not serve the call: it was unreachable, broke the connection, did not answer in time
    /// (<paramref name="cancelled"/> says whether the caller's own token fired, which is no fault of the member's).
    /// </summary>
    public static bool MemberFailed(Exception e, bool cancelled) => !cancelled && e switch
    {
        RpcException rpc => IsUnavailable(rpc),
        OperationCanceledException => true, // the deadline, seen before the HTTP/2 stream had headers
        _ => false,
    };

    /// <summary>
    /// True when the request certainly was not applied: no connection to the member could be made, or the member
    /// refused it before proposing it (it has no leader). A timeout or a connection lost mid-call is not: the write
    /// may have been applied, and only a read can tell.
    /// </summary>
    public static bool WasNotSent(Exception e) => e is RpcException rpc && (
        rpc.StatusCode == StatusCode.Unavailable && IsConnectFailure(rpc.Status.DebugException)
        || rpc.Status.Detail.Contains("etcdserver: no leader", StringComparison.Ordinal));

    private static bool IsConnectFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
                || e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound }
                || e is TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
