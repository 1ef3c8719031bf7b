using System.Net;
using System.Net.Sockets;

namespace LightMesh.Discovery.Tests;

/// <summary>
/// A TCP relay on loopback in front of a server, that can be cut (every connection closed, new ones refused at once)
/// and restored: how a test makes etcd unreachable for one client while it stays up for everyone else.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private bool _cut;

    public TcpRelay(Uri target, bool cut = false)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _cut = cut;
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Cut()
    {
        lock (_open)
        {
            _cut = true;
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public void Restore()
    {
        lock (_open)
        {
            _cut = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var upstream = new TcpClient();
            lock (_open)
            {
                if (_cut)
                {
                    client.Dispose();
                    upstream.Dispose();
                    continue;
                }

                _open.Add(client);
                _open.Add(upstream);
            }

            _ = Task.Run(() => PumpAsync(client, upstream));
        }
    }

    private async Task PumpAsync(TcpClient client, TcpClient upstream)
    {
        try
        {
            await upstream.ConnectAsync(_target, _stop.Token);
            var downstream = client.GetStream();
            var up = upstream.GetStream();
            await Task.WhenAny(downstream.CopyToAsync(up, _stop.Token), up.CopyToAsync(downstream, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // the relay was cut, or one side went away
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(client);
                _open.Remove(upstream);
            }

            client.Dispose();
            upstream.Dispose();
        }
    }
}
