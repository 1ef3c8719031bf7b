using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace LightMesh.Discovery.Hosting;

/// <summary>
/// gRPC (HTTP/2 with prior knowledge, "h2c") and plain HTTP/1.1 on one cleartext port, as the mesh gives each instance
/// one port. Kestrel picks HTTP/1.1 for every cleartext connection of an <c>Http1AndHttp2</c> endpoint (it negotiates
/// only through TLS ALPN; dotnet/aspnetcore#56984), so this looks at a connection's first bytes and, when they are
/// HTTP/2's connection preface, tells Kestrel that "h2" was negotiated.
/// </summary>
public static class CleartextListenOptionsExtensions
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    /// <summary>How long a new connection may stay silent before it is handed to HTTP/1.1 (and its own timeouts).</summary>
    private static readonly TimeSpan FirstBytesTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Serves HTTP/1.1 and prior-knowledge HTTP/2 on this cleartext endpoint.</summary>
    public static ListenOptions UseHttp1AndH2c(this ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;

        // The :scheme such a connection sends is "http", the transport now looks like "https": let the request's own win.
        listen.KestrelServerOptions.AllowAlternateSchemes = true;
        listen.Use(next => async connection =>
        {
            if (await StartsWithPrefaceAsync(connection))
            {
                // Kestrel chooses HTTP/2 for a connection that carries TLS features with ALPN "h2". Nothing else here
                // reads them but HttpRequest.IsHttps, which is true on these connections (Scheme stays "http").
                connection.Features.Set<ITlsConnectionFeature>(new PriorKnowledge());
                connection.Features.Set<ITlsApplicationProtocolFeature>(new PriorKnowledge());
            }

            await next(connection);
        });
        return listen;
    }

    private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(FirstBytesTimeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            var buffer = result.Buffer;
            var length = (int)Math.Min(buffer.Length, Preface.Length);
            var matches = buffer.Slice(0, length).ToArray().AsSpan().SequenceEqual(Preface.AsSpan(0, length));
            if (!matches || length == Preface.Length || result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start); // nothing consumed or examined: Kestrel reads the same bytes again
                return matches && length == Preface.Length;
            }

            input.AdvanceTo(buffer.Start, buffer.End); // a prefix of the preface so far: wait for more bytes
        }
    }

    private sealed class PriorKnowledge : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        public X509Certificate2? ClientCertificate { get; set; }

        public ReadOnlyMemory<byte> ApplicationProtocol => "h2"u8.ToArray();

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
