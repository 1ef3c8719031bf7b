using Microsoft.Extensions.DependencyInjection;
using WorkflowCore.Interface;

namespace LightMesh.DurableExecution;

/// <summary>
/// Runs a workflow's steps in the service scope of the host that runs them. WorkflowCore's own provider opens a new scope
/// of the whole container for each step, which cannot see the services of the host's scope.
/// </summary>
internal sealed class HostScopeProvider(IServiceProvider services) : IScopeProvider
{
    public IServiceScope CreateScope(IStepExecutionContext context) => new LentScope(services);

    // Lent, not owned: what a step is given belongs to the host's scope and is disposed with it, not after the step
    // (a disposable transient a step asks for lives as long as the scope).
    private sealed class LentScope(IServiceProvider services) : IServiceScope
    {
        public IServiceProvider ServiceProvider => services;

        public void Dispose()
        {
        }
    }
}
