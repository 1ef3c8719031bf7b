using System.Net;
using System.Net.Sockets;
using LightMesh.Core;

namespace LightMesh.Host;

/// <summary>
/// Checks, before a server writes anything or starts anything, that each address it will listen on is free: a port in
/// use is a one-line error naming the flag and the address (exit 2), not a stack trace from deep in the web host after
/// the controller has already begun.
/// </summary>
public static class ListenPorts
{
    public static void EnsureFree(params (string Flag, IPEndPoint Endpoint)[] listens)
    {
        var errors = new List<string>();
        foreach (var (flag, endpoint) in listens)
        {
            using var probe = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);

            // As the web host binds: a port a stopped server left in TIME_WAIT is free, one something listens on is not.
            probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                probe.Bind(endpoint);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                errors.Add($"{flag} {endpoint}: the port is in use (another lightmesh server or xds serve?); stop that process or give {flag} another port");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
            {
                errors.Add($"{flag} {endpoint}: this machine has no such address; give {flag} one of its own (127.0.0.1 to try things)");
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(string.Join("; ", errors));
        }
    }
}
