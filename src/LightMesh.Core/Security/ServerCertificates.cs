using System.Security.Cryptography.X509Certificates;

namespace LightMesh.Core.Security;

/// <summary>How LightMesh checks a server's certificate against CAs of its own (a node's Docker Engine, etcd), not the machine's store.</summary>
public static class ServerCertificates
{
    /// <summary>
    /// True when <paramref name="server"/> chains to one of <paramref name="authorities"/> and names <paramref name="host"/>
    /// (a DNS or IP subject alternative name), so a certificate the same CA issued to another server is refused.
    /// </summary>
    public static bool IsIssuedTo(X509Certificate2 server, string host, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server) && server.MatchesHostname(host, allowWildcards: true, allowCommonName: false);
    }
}
