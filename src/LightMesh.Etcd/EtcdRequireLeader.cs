using Grpc.Core;
using Grpc.Core.Interceptors;

namespace LightMesh.Etcd;

/// <summary>
/// Sends etcd's <c>hasleader</c> metadata with every call, as etcd's own client does for streams: a member with no leader
/// then says so at once ("etcdserver: no leader": nothing was done, another member may be asked) instead of holding a
/// write until its deadline, and ends a watch or keep-alive stream instead of keeping it open and quiet.
/// </summary>
internal sealed class EtcdRequireLeader : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithRequireLeader(context));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(WithRequireLeader(context));

    private static ClientInterceptorContext<TRequest, TResponse> WithRequireLeader<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        var headers = new Metadata();
        foreach (var entry in context.Options.Headers ?? [])
        {
            headers.Add(entry);
        }

        headers.Add("hasleader", "true");
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }
}
