using System.Net.Sockets;
using Grpc.Core;

namespace LightMesh.Etcd.Tests;

/// <summary>Which failed calls may be made again on another member: a write only when it certainly never reached etcd.</summary>
public sealed class EtcdFailuresTests
{
    private static RpcException Failure(StatusCode code, string detail, Exception? debug = null) => new(new Status(code, detail, debug));

    [Fact]
    public void WasNotSent_ConnectionRefused_IsTrue() =>
        Assert.True(EtcdFailures.WasNotSent(Failure(StatusCode.Unavailable, "Error starting gRPC call.",
            new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:2379)", new SocketException((int)SocketError.ConnectionRefused)))));

    [Fact]
    public void WasNotSent_MemberWithoutALeader_IsTrue() =>
        Assert.True(EtcdFailures.WasNotSent(Failure(StatusCode.Unavailable, "etcdserver: no leader")));

    [Theory]
    [InlineData(StatusCode.Unavailable, "etcdserver: request timed out, possibly due to previous leader failure")]
    [InlineData(StatusCode.Unavailable, "etcdserver: leader changed")]
    [InlineData(StatusCode.DeadlineExceeded, "Deadline Exceeded")]
    public void WasNotSent_AnswerLostOrLate_IsFalse(StatusCode code, string detail) =>
        Assert.False(EtcdFailures.WasNotSent(Failure(code, detail)));

    [Fact]
    public void WasNotSent_ConnectionResetMidCall_IsFalse() =>
        Assert.False(EtcdFailures.WasNotSent(Failure(StatusCode.Unavailable, "Error starting gRPC call.",
            new HttpRequestException("An error occurred while sending the request.", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))))));

    [Fact]
    public void MemberFailed_CallersOwnCancellation_IsFalse() =>
        Assert.False(EtcdFailures.MemberFailed(new OperationCanceledException(), cancelled: true));

    [Fact]
    public void MemberFailed_EtcdSaidNo_IsFalse() =>
        Assert.False(EtcdFailures.MemberFailed(Failure(StatusCode.FailedPrecondition, "etcdserver: mvcc: required revision has been compacted"), cancelled: false));
}
