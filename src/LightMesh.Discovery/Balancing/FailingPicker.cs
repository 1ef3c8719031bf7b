using Grpc.Core;
using Grpc.Net.Client.Balancer;

namespace LightMesh.Discovery.Balancing;

/// <summary>Fails every call with one status: the channel has no usable configuration.</summary>
internal sealed class FailingPicker(Status status) : SubchannelPicker
{
    public override PickResult Pick(PickContext context) => PickResult.ForFailure(status);
}
