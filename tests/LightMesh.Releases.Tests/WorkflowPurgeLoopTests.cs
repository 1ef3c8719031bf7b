using LightMesh.DurableExecution;
using LightMesh.Etcd;
using LightMesh.Releases.Leadership;
using LightMesh.Releases.Runs;
using LightMesh.Testing;
using Microsoft.Extensions.Logging;
using WorkflowCore.Models;

namespace LightMesh.Releases.Tests;

/// <summary>The leader's purge of spent workflow records, against an etcd of its own that the test stops and starts.</summary>
public sealed class WorkflowPurgeLoopTests
{
    [Fact]
    public async Task APurgeThatFails_IsTriedAgainAtTheNextInterval()
    {
        await using var server = await EtcdServer.StartAsync();
        using var etcd = new EtcdConnection(new EtcdOptions { Endpoints = server.Endpoint, Prefix = "/purge/", RequestTimeout = TimeSpan.FromSeconds(3) }, TimeProvider.System);
        var workflows = new EtcdPersistenceProvider(etcd, WorkflowFence.None, [typeof(ReleaseRunData)]);
        var ended = DateTime.UtcNow.AddHours(-2);
        var done = await workflows.CreateNewWorkflow(new WorkflowInstance { WorkflowDefinitionId = "w", Status = WorkflowStatus.Complete, CreateTime = ended, CompleteTime = ended }, default);
        using var log = new LogLines();
        using var logging = LoggerFactory.Create(builder => builder.AddProvider(log));
        var loop = new WorkflowPurgeLoop(
            workflows, new ReleaseEngineOptions { Candidate = "test", WorkflowRetention = TimeSpan.FromSeconds(6) }, TimeProvider.System, logging.CreateLogger<WorkflowPurgeLoop>());
        Assert.Equal(TimeSpan.FromSeconds(1), loop.Interval);

        // etcd is away at the first purge: it fails, and is logged.
        await server.StopAsync();
        using var term = new CancellationTokenSource();
        var running = loop.RunAsync(term.Token);
        await Poll.UntilAsync(
            () => Task.FromResult(log.Lines.Any(l => l.Contains("could not be purged; trying again in 00:00:01", StringComparison.Ordinal))), failed => failed, TimeSpan.FromSeconds(30), $"the failed purge logged; {log}");

        // Back, the next purge deletes what is due.
        await server.RestartAsync();
        await Poll.UntilAsync(() => GoneAsync(workflows, done), gone => gone, TimeSpan.FromSeconds(30), $"the finished workflow purged; {log}");

        await term.CancelAsync();
        await running;
    }

    /// <summary>Whether the workflow is gone; not yet while the etcd just started again does not answer.</summary>
    private static async Task<bool> GoneAsync(EtcdPersistenceProvider workflows, string id)
    {
        try
        {
            return await workflows.GetWorkflowInstance(id, default) is null;
        }
        catch (EtcdUnavailableException)
        {
            return false;
        }
    }
}
