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

    /// <summary>
    /// The first of <paramref name="count"/> consecutive ports, free now, whose run <paramref name="offset"/> higher is free
    /// too: what a deployed service's replicas (and its canary's) listen on. Taken below the kernel's ephemeral range
    /// (32768 and up), which <see cref="Free"/> and every outgoing connection draw from, so nothing else takes one later.
    /// </summary>
    public static int FreeRun(int count, int offset)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var first = Random.Shared.Next(20000, 32768 - offset - count);
            int[] run = [.. Enumerable.Range(first, count), .. Enumerable.Range(first + offset, count)];
            if (run.All(port => !Given.ContainsKey(port) && CanListen(port)) && run.All(port => Given.TryAdd(port, true)))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"no run of {count} free ports (and {count} more, {offset} higher) below 32768");
    }

    private static bool CanListen(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

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
