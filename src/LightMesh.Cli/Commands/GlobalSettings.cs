using System.ComponentModel;
using LightMesh.Etcd;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>Options of every verb that talks to etcd: where it is, the key prefix, as whom, and the output format.</summary>
public class GlobalSettings : OutputSettings
{
    [CommandOption("--etcd <URLS>")]
    [Description("etcd client URLs, comma-separated. Default: $LIGHTMESH_ETCD, else http://127.0.0.1:2379")]
    public string? Etcd { get; init; }

    [CommandOption("--prefix <PREFIX>")]
    [Description("Key prefix in etcd. Default: /lightmesh/")]
    public string? Prefix { get; init; }

    [CommandOption("--etcd-user <USER>")]
    [Description("The etcd user, where etcd's authentication is on (lightmesh etcd init-auth). Default: $LIGHTMESH_ETCD_USER")]
    public string? EtcdUser { get; init; }

    [CommandOption("--etcd-password-file <FILE>")]
    [Description("A file whose first line is the etcd user's password. Default: the password in $LIGHTMESH_ETCD_PASSWORD")]
    public string? EtcdPasswordFile { get; init; }

    [CommandOption("--etcd-ca <FILE>")]
    [Description("CA certificates (PEM) that etcd's certificate must chain to, for https:// endpoints. Default: $LIGHTMESH_ETCD_CA, else the machine's trust store")]
    public string? EtcdCa { get; init; }

    [CommandOption("--etcd-cert <FILE>")]
    [Description("A client certificate (PEM) for an etcd that asks for one, with --etcd-key. Default: $LIGHTMESH_ETCD_CERT")]
    public string? EtcdCert { get; init; }

    [CommandOption("--etcd-key <FILE>")]
    [Description("The client certificate's private key (PEM). Default: $LIGHTMESH_ETCD_KEY")]
    public string? EtcdKey { get; init; }

    /// <summary>etcd as the flags say, else the environment (<see cref="EtcdEnvironment"/>), else the defaults.</summary>
    public EtcdOptions ToEtcdOptions()
    {
        var environment = EtcdEnvironment.Apply(new EtcdOptions(), Environment.GetEnvironmentVariable);
        return environment with
        {
            Endpoints = Etcd ?? NonEmpty(Environment.GetEnvironmentVariable(EtcdEnvironment.Endpoints)) ?? EtcdOptions.DefaultEndpoints,
            Prefix = Prefix ?? EtcdOptions.DefaultPrefix,
            Username = EtcdUser ?? environment.Username,
            Password = EtcdPasswordFile is null ? environment.Password : null,
            PasswordFile = EtcdPasswordFile,
            CaFile = EtcdCa ?? environment.CaFile,
            CertFile = EtcdCert ?? environment.CertFile,
            KeyFile = EtcdKey ?? environment.KeyFile,
        };
    }

    public override ValidationResult Validate()
    {
        var output = base.Validate();
        if (!output.Successful)
        {
            return output;
        }

        return ToEtcdOptions().Check() is { } problem ? ValidationResult.Error(problem) : ValidationResult.Success();
    }

    public EtcdConnection Connect() => new(ToEtcdOptions(), TimeProvider.System);
}
