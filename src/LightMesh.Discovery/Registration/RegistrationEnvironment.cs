using System.Globalization;
using LightMesh.Core.Validation;
using LightMesh.Etcd;

namespace LightMesh.Discovery.Registration;

/// <summary>The <c>LIGHTMESH_*</c> environment variables registration reads, and how each maps to an option.</summary>
public static class RegistrationEnvironment
{
    public const string Service = "LIGHTMESH_SERVICE";
    public const string Version = "LIGHTMESH_VERSION";
    public const string Address = "LIGHTMESH_ADDRESS";
    public const string Port = "LIGHTMESH_PORT";

    /// <summary>The port the deployer gives every container; read when <see cref="Port"/> is not set.</summary>
    public const string PlainPort = "PORT";

    public const string Node = "LIGHTMESH_NODE";
    public const string Ttl = "LIGHTMESH_TTL";
    public const string DrainDelay = "LIGHTMESH_DRAIN_DELAY";
    public const string Etcd = "LIGHTMESH_ETCD";
    public const string Prefix = "LIGHTMESH_PREFIX";

    /// <summary>Sets every option whose variable <paramref name="variable"/> returns non-empty; unreadable values are kept as problems.</summary>
    public static void Apply(RegistrationOptions options, Func<string, string?> variable)
    {
        string? Read(string name) => variable(name) is { Length: > 0 } value ? value.Trim() : null;

        options.Service = Read(Service) ?? options.Service;
        options.Version = Read(Version) ?? options.Version;
        options.Address = Read(Address) ?? options.Address;
        options.Node = Read(Node) ?? options.Node;
        options.Etcd = Read(Etcd) ?? options.Etcd;
        options.Prefix = Read(Prefix) ?? options.Prefix;
        options.EtcdUser = Read(EtcdEnvironment.User) ?? options.EtcdUser;
        options.EtcdPassword = Read(EtcdEnvironment.Password) ?? options.EtcdPassword;
        options.EtcdCaFile = Read(EtcdEnvironment.CaFile) ?? options.EtcdCaFile;

        var (portName, portText) = Read(Port) is { } port ? (Port, port) : (PlainPort, Read(PlainPort));
        if (portText is not null)
        {
            if (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                options.Port = parsed;
            }
            else
            {
                options.EnvironmentProblems.Add($"{nameof(RegistrationOptions.Port)} ({portName}): \"{portText}\" is not a port number");
            }
        }

        if (ReadDuration(Ttl, nameof(RegistrationOptions.Ttl)) is { } ttl)
        {
            options.Ttl = ttl;
        }

        if (ReadDuration(DrainDelay, nameof(RegistrationOptions.DrainDelay)) is { } drain)
        {
            options.DrainDelay = drain;
        }

        TimeSpan? ReadDuration(string name, string option)
        {
            if (Read(name) is not { } text)
            {
                return null;
            }

            if (Duration.TryParse(text, out var parsed))
            {
                return parsed.Value;
            }

            options.EnvironmentProblems.Add($"{option} ({name}): \"{text}\" is not a duration like 10s or 500ms");
            return null;
        }
    }
}
