namespace LightMesh.Etcd;

/// <summary>
/// The environment variables that say where etcd is and as whom to connect: what the deployer gives the services it
/// starts (a registrar's user and password, never the controller's), and what the CLI reads when no flag is given.
/// </summary>
public static class EtcdEnvironment
{
    public const string Endpoints = "LIGHTMESH_ETCD";
    public const string User = "LIGHTMESH_ETCD_USER";
    public const string Password = "LIGHTMESH_ETCD_PASSWORD";
    public const string CaFile = "LIGHTMESH_ETCD_CA";
    public const string CertFile = "LIGHTMESH_ETCD_CERT";
    public const string KeyFile = "LIGHTMESH_ETCD_KEY";

    /// <summary><paramref name="options"/> with the user, password and TLS files the environment sets (empty values count as unset).</summary>
    public static EtcdOptions Apply(EtcdOptions options, Func<string, string?> variable)
    {
        string? Read(string name) => variable(name) is { Length: > 0 } value ? value.Trim() : null;
        return options with
        {
            Username = Read(User) ?? options.Username,
            Password = Read(Password) ?? options.Password,
            CaFile = Read(CaFile) ?? options.CaFile,
            CertFile = Read(CertFile) ?? options.CertFile,
            KeyFile = Read(KeyFile) ?? options.KeyFile,
        };
    }
}
