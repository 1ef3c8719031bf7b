using Grpc.Core;
using Grpc.Net.Client.Balancer;

namespace LightMesh.Discovery.Balancing;

/// <summary>
/// The one subchannel of an endpoint, shared by every cluster that lists it, with its last known state and the calls
/// in flight on it (counted for LEAST_REQUEST clusters).
/// </summary>
internal sealed class EndpointSubchannel(Subchannel subchannel) : ISubchannelCallTracker, IDisposable
{
    private int _inFlight;

    public Subchannel Subchannel { get; } = subchannel;
    public IDisposable? Registration { get; set; }
    public ConnectivityState State { get; set; } = ConnectivityState.Idle;
    public Status LastStatus { get; set; } = Status.DefaultSuccess;
    public int InFlight => Volatile.Read(ref _inFlight);

    public void Start() => Interlocked.Increment(ref _inFlight);

    public void Complete(CompletionContext context) => Interlocked.Decrement(ref _inFlight);

    public void Dispose()
    {
        Registration?.Dispose();
        Subchannel.Dispose();
    }
}
