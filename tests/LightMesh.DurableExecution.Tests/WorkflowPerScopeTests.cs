using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WorkflowCore.Interface;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution.Tests;

/// <summary>WorkflowCore added per scope: each scope has a host of its own, which runs its steps in that scope.</summary>
public sealed class WorkflowPerScopeTests
{
    [Fact]
    public async Task AddWorkflowPerScope_TwoScopes_EachHostRunsItsWorkflowsWithItsOwnScopesServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddWorkflowPerScope(o => o.UsePollInterval(TimeSpan.FromMilliseconds(100)));
        services.AddScoped<Visits>();
        services.AddTransient<Visit>();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using var a = provider.CreateAsyncScope();
        await using var b = provider.CreateAsyncScope();
        var hostA = a.ServiceProvider.GetRequiredService<IWorkflowHost>();
        var hostB = b.ServiceProvider.GetRequiredService<IWorkflowHost>();
        Assert.NotSame(hostA, hostB);

        foreach (var host in new[] { hostA, hostB })
        {
            host.RegisterWorkflow<VisitWorkflow>();
            await host.StartAsync(default);
        }

        try
        {
            await hostA.StartWorkflow(VisitWorkflow.Name);
            await hostA.StartWorkflow(VisitWorkflow.Name);
            await hostB.StartWorkflow(VisitWorkflow.Name);
            int Seen(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<Visits>().Count;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while ((Seen(a) < 2 || Seen(b) < 1) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(2, Seen(a));
            Assert.Equal(1, Seen(b));
        }
        finally
        {
            await hostA.StopAsync(default);
            await hostB.StopAsync(default);
        }
    }

    /// <summary>What a scope's steps have counted.</summary>
    public sealed class Visits
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    /// <summary>A step that counts itself in the scope it runs in.</summary>
    public sealed class Visit(Visits visits) : StepBody
    {
        public override ExecutionResult Run(IStepExecutionContext context)
        {
            visits.Add();
            return ExecutionResult.Next();
        }
    }

    /// <summary>One visit.</summary>
    public sealed class VisitWorkflow : IWorkflow
    {
        public const string Name = "visit";

        public string Id => Name;

        public int Version => 1;

        public void Build(IWorkflowBuilder<object> builder) => builder.StartWith<Visit>();
    }
}
