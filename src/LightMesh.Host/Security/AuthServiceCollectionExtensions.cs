using LightMesh.Etcd;
using LightMesh.Host.Configuration;
using LightMesh.Host.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Extension methods live where services.AddXxx() users look for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Wires the API's bearer-token authentication and its role policies into a host.</summary>
public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AuthOptions"/> from <c>LightMesh:Auth</c> (checked at start), authenticates bearer tokens, adds a
    /// policy per role (<see cref="Roles"/>) and, under <c>/api</c>, a token for any endpoint that names no policy; refusals
    /// are problem details. With no token configured, the initial admin token is made or taken from etcd at start.
    /// </summary>
    /// <param name="controller">This controller's name, recorded with an initial admin token it makes.</param>
    public static IServiceCollection AddLightMeshAuth(this IServiceCollection services, IConfiguration configuration, string controller)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>>(new AuthOptionsValidator(configuration)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BearerTokens>();
        services.AddHostedService(sp => new InitialAdminToken(
            sp.GetRequiredService<EtcdConnection>(), sp.GetRequiredService<BearerTokens>(), sp.GetRequiredService<IOptions<AuthOptions>>(), controller,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<InitialAdminToken>>()));

        // The core only: bearer tokens need no Data Protection. The console adds it (AddLightMeshConsole), with its key ring
        // in etcd, never in ~/.aspnet.
        services.AddAuthenticationCore(authentication =>
        {
            authentication.AddScheme<BearerAuthenticationHandler>(BearerHeader.Scheme, null);
            authentication.DefaultScheme = BearerHeader.Scheme;
        });
        services.AddWebEncoders();
        services.AddAuthorization(authorization =>
        {
            foreach (var role in Roles.All)
            {
                authorization.AddPolicy(role, policy => policy.RequireAuthenticatedUser().AddRequirements(new RoleRequirement(role)));
            }

            // Requirements that are their own handlers (RoleRequirement, ApiRequirement) need no registration.
            authorization.FallbackPolicy = new AuthorizationPolicyBuilder().AddRequirements(new ApiRequirement()).Build();
        });

        // Replaces the default, which AddAuthorization has just added: refusals are answered as every other API error.
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>());
        return services;
    }
}
