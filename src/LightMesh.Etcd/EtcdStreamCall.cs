using Grpc.Core;

namespace LightMesh.Etcd;

/// <summary>A watch or lease keep-alive stream to one etcd member; when it breaks, <see cref="MemberFailed"/> sends what comes next to another member.</summary>
public sealed class EtcdStreamCall<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call, Action memberFailed) : IDisposable
{
    public IClientStreamWriter<TRequest> RequestStream => call.RequestStream;

    public IAsyncStreamReader<TResponse> ResponseStream => call.ResponseStream;

    /// <summary>The member this stream went to failed it (unreachable, gone, no leader, silent): move on to the next member.</summary>
    public void MemberFailed() => memberFailed();

    public void Dispose() => call.Dispose();
}
