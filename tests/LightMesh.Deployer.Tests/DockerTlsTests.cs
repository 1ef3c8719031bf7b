using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Deployer.Engine;
using LightMesh.Testing;

namespace LightMesh.Deployer.Tests;

/// <summary>
/// A node's Docker endpoint over TLS: the engine's certificate must chain to the node's CA and name the host the node's
/// endpoint names. The engine is this machine's, reached through a TLS front on 127.0.0.1 that presents a certificate
/// made for the test.
/// </summary>
[Collection(DeployerCollectionDefinition.Name)]
public sealed class DockerTlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lightmesh-docker-tls-").FullName;
    private readonly X509Certificate2 _authority = TestCertificates.Authority("LightMesh test CA");

    [Fact]
    public async Task EngineCertificateForTheNodesHost_IsTrusted()
    {
        await using var front = await TlsFront.StartAsync(TestCertificates.Issue(_authority, "127.0.0.1", "127.0.0.1", IPAddress.Loopback));
        using var docker = DockerEngines.Connect(Node(front.Port, _authority), TimeSpan.FromSeconds(10));

        await docker.System.PingAsync();
    }

    [Fact]
    public async Task EngineCertificateFromTheSameCaForAnotherNode_IsRefused()
    {
        await using var front = await TlsFront.StartAsync(TestCertificates.Issue(_authority, "node-2.example", "node-2.example"));
        using var docker = DockerEngines.Connect(Node(front.Port, _authority), TimeSpan.FromSeconds(10));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => docker.System.PingAsync());
        Assert.True(Unwrap(refused) is AuthenticationException, refused.ToString());
    }

    [Fact]
    public async Task EngineCertificateFromAnotherCa_IsRefused()
    {
        using var stranger = TestCertificates.Authority("another CA");
        await using var front = await TlsFront.StartAsync(TestCertificates.Issue(stranger, "127.0.0.1", "127.0.0.1", IPAddress.Loopback));
        using var docker = DockerEngines.Connect(Node(front.Port, _authority), TimeSpan.FromSeconds(10));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => docker.System.PingAsync());
        Assert.True(Unwrap(refused) is AuthenticationException, refused.ToString());
    }

    private static Exception Unwrap(Exception e) => e is AuthenticationException || e.InnerException is null ? e : Unwrap(e.InnerException);

    private MeshNode Node(int port, X509Certificate2 authority)
    {
        var ca = Path.Combine(_directory, "ca.pem");
        File.WriteAllText(ca, authority.ExportCertificatePem());
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var client = new CertificateRequest("CN=lightmesh", clientKey, HashAlgorithmName.SHA256)
            .Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(50), RandomNumberGenerator.GetBytes(16));
        var cert = Path.Combine(_directory, "cert.pem");
        var key = Path.Combine(_directory, "key.pem");
        File.WriteAllText(cert, client.ExportCertificatePem());
        File.WriteAllText(key, clientKey.ExportPkcs8PrivateKeyPem());
        return new MeshNode
        {
            ApiVersion = "lightmesh.io/v1", Metadata = new ObjectMeta { Name = "node-1" },
            Spec = new MeshNodeSpec
            {
                Address = "127.0.0.1", DockerEndpoint = $"tcp://127.0.0.1:{port}",
                DockerTls = new DockerTls { CaFile = ca, CertFile = cert, KeyFile = key },
            },
        };
    }

    public void Dispose()
    {
        _authority.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Accepts TLS on a free 127.0.0.1 port and passes each connection's bytes to the engine's unix socket.</summary>
    private sealed class TlsFront : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly X509Certificate2 _certificate;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        private TlsFront(TcpListener listener, X509Certificate2 certificate)
        {
            _listener = listener;
            _certificate = certificate;
            _accepting = AcceptAsync(_stop.Token);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static Task<TlsFront> StartAsync(X509Certificate2 certificate)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new TlsFront(listener, certificate));
        }

        private async Task AcceptAsync(CancellationToken stop)
        {
            var connections = new List<Task>();
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(stop);
                    connections.Add(ServeAsync(client, stop));
                }
            }
            catch (OperationCanceledException)
            {
                // the test is over
            }

            await Task.WhenAll(connections);
        }

        private async Task ServeAsync(TcpClient client, CancellationToken stop)
        {
            using (client)
            {
                try
                {
                    await using var tls = new SslStream(client.GetStream());
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, stop);
                    using var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await engine.ConnectAsync(new UnixDomainSocketEndPoint(new Uri(DockerFixture.Endpoint).AbsolutePath), stop);
                    await using var engineStream = new NetworkStream(engine, ownsSocket: false);
                    await Task.WhenAny(tls.CopyToAsync(engineStream, stop), engineStream.CopyToAsync(tls, stop));
                }
                catch (Exception e) when (e is IOException or AuthenticationException or SocketException or OperationCanceledException)
                {
                    // A refused handshake or a closed connection ends this connection only.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
            _certificate.Dispose();
        }
    }
}
