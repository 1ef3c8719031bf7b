using LightMesh.Etcd;
using LightMesh.Host.OperatorConsole;
using LightMesh.Host.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Hosting;

#pragma warning disable IDE0130 // Extension methods live where services.AddXxx() users look for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Wires the operator console into a host: its pages, its sessions, and the key ring they are protected with.</summary>
public static class ConsoleServiceCollectionExtensions
{
    /// <summary>
    /// Adds the console's Razor components, its session cookie scheme (<see cref="ConsoleSession"/>) and policy, and Data
    /// Protection with its key ring in etcd (<see cref="EtcdKeyRing"/>). Call it after <c>AddLightMeshAuth</c>: the API's
    /// default scheme stays the bearer token, so no API policy ever reads the cookie.
    /// </summary>
    public static IServiceCollection AddLightMeshConsole(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddSingleton<ReleaseFeed>();
        services.AddSingleton<ConsoleParts>();
        services.AddSingleton<ConsoleLinks>();
        services.AddAuthentication().AddCookie(ConsoleSession.Scheme, ConsoleSession.Configure);
        services.AddDataProtection().SetApplicationName("lightmesh");
        services.AddOptions<KeyManagementOptions>().Configure<EtcdConnection>((keys, etcd) => keys.XmlRepository = new EtcdKeyRing(etcd));
        services.AddAuthorization(authorization =>
        {
            authorization.AddPolicy(ConsoleSession.Policy, policy => policy
                .AddAuthenticationSchemes(ConsoleSession.Scheme).RequireAuthenticatedUser().AddRequirements(new RoleRequirement(Roles.Viewer)));
            authorization.AddPolicy(ConsoleSession.OperatorPolicy, policy => policy
                .AddAuthenticationSchemes(ConsoleSession.Scheme).RequireAuthenticatedUser().AddRequirements(new RoleRequirement(Roles.Operator)));
        });

        // Data Protection reads its key ring at start, which would make every controller's start wait on etcd for a
        // console nobody may open: the ring is read at the first console page instead.
        foreach (var eager in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService").ToList())
        {
            services.Remove(eager);
        }

        return services;
    }
}
