using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LightMesh.Testing;

/// <summary>Certificate authorities and certificates made at test time, in memory, and written as PEM where a process needs files.</summary>
public static class TestCertificates
{
    /// <summary>A self-signed CA named <paramref name="name"/>, valid for an hour.</summary>
    public static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }

    /// <summary>
    /// A certificate from <paramref name="authority"/> for <paramref name="commonName"/>, naming <paramref name="dns"/> and
    /// <paramref name="ip"/> (when given), for servers and clients both, with its key (exportable).
    /// </summary>
    public static X509Certificate2 Issue(X509Certificate2 authority, string commonName, string? dns = null, IPAddress? ip = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        if (dns is not null || ip is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            if (dns is not null)
            {
                names.AddDnsName(dns);
            }

            if (ip is not null)
            {
                names.AddIpAddress(ip);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(50), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);

        // A certificate made in memory is exported and read again so SslStream can use its key on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>Writes <paramref name="certificate"/> to <c>NAME.pem</c> in <paramref name="directory"/>, and its key, if it has one, to <c>NAME-key.pem</c>.</summary>
    public static (string Cert, string Key) WritePem(X509Certificate2 certificate, string directory, string name)
    {
        var (cert, key) = (Path.Combine(directory, $"{name}.pem"), Path.Combine(directory, $"{name}-key.pem"));
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        if (certificate.GetECDsaPrivateKey() is { } privateKey)
        {
            using (privateKey)
            {
                File.WriteAllText(key, privateKey.ExportPkcs8PrivateKeyPem());
            }
        }

        return (cert, key);
    }
}
