using Authpb;
using LightMesh.Core.Documents;

namespace LightMesh.Etcd.Security;

/// <summary>One key range a role may read, or read and write: every key under <see cref="Prefix"/>.</summary>
public sealed record KeyRange(string Prefix, bool Write);

/// <summary>An etcd role LightMesh uses, the user that has it, and the key ranges it may touch.</summary>
public sealed record EtcdRole(string Name, string Purpose, IReadOnlyList<KeyRange> Ranges);

/// <summary>
/// The least each of LightMesh's parts needs from etcd, as etcd roles over the key prefix: a controller (and the CLI
/// an operator uses) reads and writes it all; a registrar (every service the deployer starts) keeps its own instance
/// under <c>instances/</c> and reads the Service documents it registers against; a viewer reads.
/// </summary>
public static class EtcdRoles
{
    public const string Controller = "lightmesh-controller";
    public const string Registrar = "lightmesh-registrar";
    public const string Viewer = "lightmesh-viewer";

    /// <summary>etcd's own administrator: the one user that may change users, roles and authentication itself.</summary>
    public const string Root = "root";

    public static IReadOnlyList<EtcdRole> For(KeyLayout keys) =>
    [
        new(Controller, "controllers and operators' CLI: reads and writes everything under the prefix", [new(keys.Prefix, Write: true)]),
        new(Registrar, "services' own registration: writes instances, reads Service documents", [new(keys.AllInstances, Write: true), new(keys.Documents(DocumentKind.Service), Write: false)]),
        new(Viewer, "dashboards and audits: reads everything under the prefix", [new(keys.Prefix, Write: false)]),
    ];

    /// <summary>The etcd permission for <paramref name="range"/>.</summary>
    public static Permission ToPermission(KeyRange range) => new()
    {
        PermType = range.Write ? Permission.Types.Type.Readwrite : Permission.Types.Type.Read,
        Key = EtcdConnection.Bytes(range.Prefix),
        RangeEnd = EtcdConnection.PrefixEnd(range.Prefix),
    };
}
