using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LightMesh.Testing;

/// <summary>Free loopback ports, picked at run time.</summary>
public static class Ports
{
    // The kernel may hand the port it just freed to the next listener: two calls in a row (a controller's API and its
    // xDS port) then collide. A port is handed out once per test process.
    private static readonly ConcurrentDictionary<int, bool> Given = new();

    public static int Free()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (Given.TryAdd(port, true))
            {
                return port;
            }
        }
    }
}
