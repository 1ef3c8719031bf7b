using System.Net;
using System.Net.Sockets;
using Etcdserverpb;
using LightMesh.Processes;
using LightMesh.Etcd;

namespace LightMesh.Cli.Tests;

/// <summary>The demo's own etcd, started as a child process: it serves reads and writes, and leaves nothing behind.</summary>
public sealed class LocalEtcdTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lightmesh-local-etcd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task StartAsync_AnswersPutAndGet_AndDisposeStopsItAndFreesItsPorts()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var etcd = await LocalEtcd.StartAsync(_dir, timeout.Token);
        var pid = etcd.Process.Id;
        try
        {
            Assert.Equal($"http://127.0.0.1:{etcd.Url.Port}", etcd.Endpoint);
            using var connection = new EtcdConnection(new EtcdOptions { Endpoints = etcd.Endpoint }, TimeProvider.System);
            await connection.TxnAsync(
                new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Key = EtcdConnection.Bytes("/demo/greeting"), Value = EtcdConnection.Bytes("hello") } } } },
                timeout.Token);
            var read = await connection.GetAsync("/demo/greeting", timeout.Token);
            Assert.Equal("hello", read.Kvs.Single().Value.ToStringUtf8());
            Assert.True(Directory.Exists(Path.Combine(_dir, "etcd-data", "member")));
            Assert.True(new FileInfo(Path.Combine(_dir, "etcd.log")).Length > 0);
        }
        finally
        {
            await etcd.DisposeAsync();
        }

        Assert.False(Directory.Exists($"/proc/{pid}"), "etcd is still running");
        AssertFree(etcd.Url.Port);
        AssertFree(etcd.PeerUrl.Port);
    }

    internal static void AssertFree(int port)
    {
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
    }
}
