namespace LightMesh.Etcd.Tests;

/// <summary>Settings of an etcd connection that cannot work are refused before anything connects, each saying why.</summary>
public sealed class EtcdOptionsTests
{
    public static TheoryData<EtcdOptions, string> Refused => new()
    {
        { new() { Endpoints = "https://10.0.0.1:2379,http://10.0.0.2:2379" }, "mix http:// and https://" },
        { new() { CaFile = "/etc/ca.pem" }, "needs https:// endpoints" },
        { new() { Endpoints = "https://10.0.0.1:2379", CertFile = "/etc/client.pem" }, "needs both its certificate file and its key file" },
        { new() { Username = "u", Password = "p", PasswordFile = "/etc/p" }, "not both" },
        { new() { Password = "p" }, "needs the user it belongs to" },
        { new() { Username = "lightmesh-controller" }, "etcd user lightmesh-controller needs a password" },
        { new() { KeepAliveInterval = TimeSpan.FromMilliseconds(100) }, "keep-alive interval 00:00:00.1000000 must be at least 1 s" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void ImpossibleSettings_AreRefusedSayingWhy(EtcdOptions options, string why) =>
        Assert.Contains(why, options.Check(), StringComparison.Ordinal);

    [Fact]
    public void TlsWithAUserAndAClientCertificate_IsAccepted_AndItsTextNeverHoldsThePassword()
    {
        var options = new EtcdOptions
        {
            Endpoints = "https://10.0.0.1:2379, https://10.0.0.2:2379", CaFile = "/etc/ca.pem", CertFile = "/etc/c.pem", KeyFile = "/etc/k.pem",
            Username = "lightmesh-controller", Password = "hunter2",
        };

        Assert.Null(options.Check());
        Assert.True(options.UsesTls);
        Assert.DoesNotContain("hunter2", options.ToString(), StringComparison.Ordinal);
    }
}
