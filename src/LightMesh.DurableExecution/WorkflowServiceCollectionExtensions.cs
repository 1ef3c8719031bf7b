using LightMesh.DurableExecution;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WorkflowCore.Interface;
using WorkflowCore.Models;

#pragma warning disable IDE0130 // Extension methods live where services.AddXxx() users look for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Adds WorkflowCore with a host of its own in each service scope.</summary>
public static class WorkflowServiceCollectionExtensions
{
    /// <summary>
    /// Adds WorkflowCore so that each service scope has its own host: what WorkflowCore registers as a singleton (its host,
    /// queue, locks, registry, grey list...) is made once per scope instead, and a workflow's steps run in the scope of the
    /// host that runs them, so they see that scope's services. A host lives and dies with its scope.
    /// </summary>
    public static IServiceCollection AddWorkflowPerScope(this IServiceCollection services, Action<WorkflowOptions>? setup = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var first = services.Count;
        services.AddWorkflow(setup);
        for (var i = first; i < services.Count; i++)
        {
            if (services[i] is { IsKeyedService: false, Lifetime: ServiceLifetime.Singleton } singleton)
            {
                services[i] = PerScope(singleton);
            }
        }

        services.Replace(ServiceDescriptor.Scoped<IScopeProvider, HostScopeProvider>());
        return services;
    }

    private static ServiceDescriptor PerScope(ServiceDescriptor singleton) => singleton switch
    {
        // Only WorkflowCore's options are registered as an instance: one object of settings, shared by every scope.
        { ImplementationInstance: { } instance } => ServiceDescriptor.Scoped(singleton.ServiceType, _ => instance),
        { ImplementationFactory: { } factory } => ServiceDescriptor.Scoped(singleton.ServiceType, factory),
        _ => ServiceDescriptor.Scoped(singleton.ServiceType, singleton.ImplementationType!),
    };
}
