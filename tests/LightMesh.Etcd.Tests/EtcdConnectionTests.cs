using System.Net;
using System.Net.Sockets;

namespace LightMesh.Etcd.Tests;

public sealed class EtcdConnectionTests
{
    [Fact]
    public async Task Get_ServerThatNeverAnswers_IsUnavailableAfterTheRequestTimeout()
    {
        // Accepts connections and reads them, but never answers a byte: a hung etcd, as a deadline sees it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var accepted = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await listener.AcceptSocketAsync(stop.Token));
                }
            }
            catch (OperationCanceledException)
            {
                // done
            }
        });
        using var etcd = new EtcdConnection(
            new EtcdOptions { Endpoints = $"http://127.0.0.1:{port}", RequestTimeout = TimeSpan.FromMilliseconds(300) }, TimeProvider.System);

        var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => new Releases.ReleaseStore(etcd).GetAsync("some-release", CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        await stop.CancelAsync();
        await accepting;
        accepted.ForEach(s => s.Dispose());
    }
}
