using System.Net;
using System.Net.Sockets;

namespace LightMesh.Cli.Bench;

/// <summary>A free port on 127.0.0.1 for the benchmark's own control plane.</summary>
internal static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
