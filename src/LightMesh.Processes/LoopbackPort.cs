using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LightMesh.Processes;

/// <summary>Free ports on 127.0.0.1, picked at run time, for the servers this process starts.</summary>
public static class LoopbackPort
{
    // The kernel may hand the port it just freed to the next listener: two calls in a row (a controller's API and its
    // xDS port) then collide. A port is handed out once per process.
    private static readonly ConcurrentDictionary<int, bool> Given = new();

    /// <summary>A port free now and not handed out before by this process.</summary>
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
            if (run.All(port => !Given.ContainsKey(port) && IsFree(port)) && run.All(port => Given.TryAdd(port, true)))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"no run of {count} free ports (and {count} more, {offset} higher) below 32768");
    }

    /// <summary>Whether <paramref name="port"/> on 127.0.0.1 can be listened on now.</summary>
    public static bool IsFree(int port)
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
}
