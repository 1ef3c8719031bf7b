using Docker.DotNet;
using Docker.DotNet.X509;
using LightMesh.Core.Mesh;

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
            var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile);
            var authority = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(tls.CaFile);
            var credentials = new CertificateCredentials(certificate)
            {
                // The engine's certificate must chain to the node's CA, not to the machine's trust store.
                ServerCertificateValidationCallback = (_, serverCertificate, _, _) =>
                {
                    if (serverCertificate is null)
                    {
                        return false;
                    }

                    using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                    chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(authority);
                    chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                    return chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(serverCertificate));
                },
            };
            return new DockerClientConfiguration(new Uri($"https://{endpoint.Host}:{endpoint.Port}"), credentials, timeout).CreateClient();
        }

        return new DockerClientConfiguration(endpoint, defaultTimeout: timeout).CreateClient();
    }
}
