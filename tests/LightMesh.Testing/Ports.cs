using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LightMesh.Testing;

/// <summary>Free loopback ports, picked at run time.</summary>
public static class Ports
{
    // The system may offer a port again as soon as the listener that found it closes; a test that asks twice in a row
    // for an API and an xDS port must get two, so no port is handed out twice in one test run.
    private static readonly ConcurrentDictionary<int, byte> Given = new();

    public static int Free()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (Given.TryAdd(port, 0))
            {
                return port;
            }
        }
    }
}
