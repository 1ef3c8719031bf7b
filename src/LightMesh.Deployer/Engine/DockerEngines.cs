using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.X509;
using LightMesh.Core.Mesh;
using LightMesh.Core.Security;

namespace LightMesh.Deployer.Engine;

/// <summary>Opens a client for a node's Docker Engine: a unix socket, or TCP with optional TLS client certificates.</summary>
public static class DockerEngines
{
    public const string DefaultEndpoint = "unix:///var/run/docker.sock";

    public static DockerClient Connect(MeshNode node, TimeSpan timeout)
    {
        var endpoint = new Uri(node.Spec.DockerEndpoint ?? DefaultEndpoint);
        if (node.Spec.DockerTls is { } tls)
        {
            var certificate = X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile);
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(tls.CaFile);
            var credentials = new CertificateCredentials(certificate)
            {
                ServerCertificateValidationCallback = (_, serverCertificate, _, _) =>
                    serverCertificate is not null && IsEngineOf(new X509Certificate2(serverCertificate), endpoint.Host, authorities),
            };
            return new DockerClientConfiguration(new Uri($"https://{endpoint.Host}:{endpoint.Port}"), credentials, timeout).CreateClient();
        }

        return new DockerClientConfiguration(endpoint, defaultTimeout: timeout).CreateClient();
    }

    /// <summary>
    /// True when <paramref name="engine"/> chains to one of the node's CAs (the CA file may hold several; not the machine's trust store) and names
    /// <paramref name="host"/>, the host of the node's endpoint, so a certificate the CA issued to another node is refused.
    /// </summary>
    private static bool IsEngineOf(X509Certificate2 engine, string host, X509Certificate2Collection authorities)
    {
        using (engine)
        {
            return ServerCertificates.IsIssuedTo(engine, host, authorities);
        }
    }
}
