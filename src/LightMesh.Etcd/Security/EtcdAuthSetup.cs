using Etcdserverpb;
using LightMesh.Core;
using LightMesh.Core.Security;

namespace LightMesh.Etcd.Security;

/// <summary>A user <see cref="EtcdAuthSetup"/> made, with the password it was given.</summary>
public sealed record EtcdUser(string Name, string Role, string Password);

/// <summary>
/// Turns on etcd's authentication for LightMesh, once, on an etcd that has none: the <see cref="EtcdRoles"/>, a user
/// for each with a new password, etcd's <c>root</c> user, and then authentication itself.
/// </summary>
public sealed class EtcdAuthSetup(EtcdConnection etcd)
{
    /// <summary>The users that will be made, each with a new password; nothing is written to etcd.</summary>
    public static IReadOnlyList<EtcdUser> NewUsers() =>
        [new(EtcdRoles.Root, EtcdRoles.Root, TokenHash.NewToken()), .. new[] { EtcdRoles.Controller, EtcdRoles.Registrar, EtcdRoles.Viewer }.Select(r => new EtcdUser(r, r, TokenHash.NewToken()))];

    /// <summary>
    /// Refuses, before changing anything, an etcd whose authentication is already on or that already has one of the
    /// users: this is for a fresh etcd, once.
    /// </summary>
    public async Task CheckFreshAsync(IReadOnlyList<EtcdUser> users, CancellationToken cancellationToken)
    {
        AuthUserListResponse existing;
        try
        {
            existing = await etcd.CallAuthAsync((auth, deadline) => auth.UserListAsync(new AuthUserListRequest(), deadline: deadline, cancellationToken: cancellationToken), cancellationToken);
        }
        catch (LightMeshException e) when (e is not EtcdUnavailableException)
        {
            throw new InvalidInputException($"etcd at {etcd.Options.Endpoints} would not list its users ({e.Message}); its authentication is probably on already, and init-auth is for an etcd without it");
        }

        var taken = users.Select(u => u.Name).Intersect(existing.Users).ToList();
        if (taken.Count > 0)
        {
            throw new InvalidInputException($"etcd at {etcd.Options.Endpoints} already has the user(s) {string.Join(", ", taken)}; init-auth sets up an etcd once (etcdctl user delete removes them)");
        }
    }

    /// <summary>Makes the roles and <paramref name="users"/>, then turns authentication on. Each step is named if it fails.</summary>
    public async Task ApplyAsync(IReadOnlyList<EtcdUser> users, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        foreach (var role in EtcdRoles.For(etcd.Keys))
        {
            await StepAsync($"add role {role.Name}", (auth, deadline) => auth.RoleAddAsync(new AuthRoleAddRequest { Name = role.Name }, deadline: deadline, cancellationToken: cancellationToken));
            foreach (var range in role.Ranges)
            {
                await StepAsync($"let {role.Name} {(range.Write ? "read and write" : "read")} {range.Prefix}", (auth, deadline) =>
                    auth.RoleGrantPermissionAsync(new AuthRoleGrantPermissionRequest { Name = role.Name, Perm = EtcdRoles.ToPermission(range) }, deadline: deadline, cancellationToken: cancellationToken));
            }
        }

        foreach (var user in users)
        {
            await StepAsync($"add user {user.Name}", (auth, deadline) => auth.UserAddAsync(new AuthUserAddRequest { Name = user.Name, Password = user.Password }, deadline: deadline, cancellationToken: cancellationToken));
            await StepAsync($"give {user.Name} the role {user.Role}", (auth, deadline) => auth.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = user.Name, Role = user.Role }, deadline: deadline, cancellationToken: cancellationToken));
        }

        await StepAsync("turn authentication on", (auth, deadline) => auth.AuthEnableAsync(new AuthEnableRequest(), deadline: deadline, cancellationToken: cancellationToken));

        async Task StepAsync<T>(string what, Func<Auth.AuthClient, DateTime, Grpc.Core.AsyncUnaryCall<T>> call)
        {
            try
            {
                await etcd.CallAuthAsync(call, cancellationToken);
                progress?.Report(what);
            }
            catch (LightMeshException e) when (e is not EtcdUnavailableException)
            {
                throw new LightMeshException($"could not {what}: {e.Message}; the steps before it were done (etcdctl role list, user list show them)", e);
            }
        }
    }
}
