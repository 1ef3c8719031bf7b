using Grpc.Core;
using LightMesh.Demo.Service.Protos;

namespace LightMesh.Demo.Service.Echo;

/// <summary>
/// <c>lightmesh.demo.Echo</c> over gRPC: an adapter over <see cref="EchoResponder"/>. A failed call names the version
/// and instance that failed it in its trailers, so a client can tell whose errors it sees.
/// </summary>
internal sealed class EchoGrpcService(EchoResponder responder) : Protos.Echo.EchoBase
{
    public const string VersionTrailer = "lightmesh-version";
    public const string InstanceTrailer = "lightmesh-instance";

    public override async Task<HelloReply> Hello(HelloRequest request, ServerCallContext context)
    {
        var answer = await responder.AnswerAsync("Echo/Hello", nameof(StatusCode.OK), nameof(StatusCode.Unavailable), context.CancellationToken);
        return answer.Failed
            ? throw new RpcException(
                new Status(StatusCode.Unavailable, $"injected fault ({DemoOptions.ErrorRateVariable})"),
                new Metadata { { VersionTrailer, answer.Version }, { InstanceTrailer, answer.Instance } })
            : new HelloReply { Service = answer.Service, Version = answer.Version, Instance = answer.Instance };
    }
}
