using LightMesh.Discovery.Registration;
using LightMesh.Discovery.Resolution;

namespace LightMesh.Discovery.Tests;

/// <summary>What a deployed service reads of the etcd user the deployer gave it, for registering and for resolving.</summary>
public sealed class EtcdEnvironmentTests
{
    private static readonly Dictionary<string, string> Deployed = new(StringComparer.Ordinal)
    {
        ["LIGHTMESH_ETCD"] = "https://10.0.0.5:2379",
        ["LIGHTMESH_ETCD_USER"] = "lightmesh-registrar",
        ["LIGHTMESH_ETCD_PASSWORD"] = "pw-from-the-deployer",
        ["LIGHTMESH_ETCD_CA"] = "/etc/lightmesh/etcd-ca.pem",
    };

    [Fact]
    public void Registration_TakesTheRegistrarsUserPasswordAndCa_FromTheEnvironment()
    {
        var options = new RegistrationOptions();

        RegistrationEnvironment.Apply(options, Deployed.GetValueOrDefault);

        var etcd = options.EtcdOptions;
        Assert.Equal(("https://10.0.0.5:2379", "lightmesh-registrar", "pw-from-the-deployer", "/etc/lightmesh/etcd-ca.pem"), (etcd.Endpoints, etcd.Username, etcd.Password, etcd.CaFile));
        Assert.Null(etcd.Check());
        Assert.DoesNotContain("pw-from-the-deployer", etcd.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheEtcdResolver_TakesTheSameUser()
    {
        var etcd = EtcdResolverFactory.OptionsFromEnvironment(Deployed.GetValueOrDefault);

        Assert.Equal(("lightmesh-registrar", "pw-from-the-deployer"), (etcd.Username, etcd.Password));
    }

    [Fact]
    public void APasswordWithoutItsUser_IsAProblemNamingIt()
    {
        var options = new RegistrationOptions();

        RegistrationEnvironment.Apply(options, name => name == "LIGHTMESH_ETCD_PASSWORD" ? "pw" : null);

        Assert.Equal("an etcd password needs the user it belongs to", options.EtcdOptions.Check());
    }
}
