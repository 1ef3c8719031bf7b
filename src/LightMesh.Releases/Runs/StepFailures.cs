using Grpc.Core;
using LightMesh.Core;
using LightMesh.Etcd;

namespace LightMesh.Releases.Runs;

/// <summary>What an exception thrown while carrying out a command means for the release: in words, and whether it may pass.</summary>
public sealed record StepFailure(string Reason, bool Transient);

/// <summary>
/// Tells the failures that may pass (a server that could not be reached or did not answer in time: etcd, a node's
/// Docker Engine, Prometheus) from those that will not (an engine that refuses a container, an answer that cannot be
/// read, an address that is not one), so the first are tried again and the second fail the step with their reason.
/// </summary>
public static class StepFailures
{
    public static StepFailure Describe(Exception e) => e switch
    {
        ServerUnreachableException => new StepFailure(e.Message, true),
        RpcException rpc when EtcdConnection.IsUnavailable(rpc) => new StepFailure($"etcd could not be reached: {rpc.Status.Detail}", true),
        HttpRequestException or TimeoutException or IOException => new StepFailure($"a server could not be reached: {e.Message}", true),
        LightMeshException => new StepFailure(e.Message, false),
        _ => new StepFailure($"{e.GetType().Name}: {e.Message}", false),
    };
}
