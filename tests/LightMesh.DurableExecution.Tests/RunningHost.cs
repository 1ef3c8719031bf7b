using LightMesh.Etcd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WorkflowCore.Interface;

namespace LightMesh.DurableExecution.Tests;

/// <summary>A started WorkflowCore host on etcd, with its own service provider; disposing it stops the host.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private RunningHost(ServiceProvider services, IWorkflowHost host)
    {
        _services = services;
        Host = host;
    }

    public IWorkflowHost Host { get; }

    public static async Task<RunningHost> StartAsync(EtcdConnection etcd, string owner, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();

        // WorkflowCore needs a logger factory; the logging implementation package is not one this repo uses.
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddWorkflow(o =>
        {
            o.UseEtcd(etcd, WorkflowFence.None, owner, typeof(GateData));
            o.UsePollInterval(TimeSpan.FromMilliseconds(200));
        });
        var provider = services.BuildServiceProvider();
        var host = provider.GetRequiredService<IWorkflowHost>();
        host.RegisterWorkflow<GateWorkflow, GateData>();
        await host.StartAsync(cancellationToken);
        return new RunningHost(provider, host);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }
}
