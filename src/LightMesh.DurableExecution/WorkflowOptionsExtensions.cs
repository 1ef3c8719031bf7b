using LightMesh.Etcd;
using LightMesh.DurableExecution;
using WorkflowCore.Models;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes WorkflowCore durable on etcd.</summary>
public static class WorkflowOptionsExtensions
{
    /// <summary>
    /// Keeps workflows in etcd and takes WorkflowCore's locks there, fenced by <paramref name="fence"/>, and queues work
    /// in a <see cref="CoalescingQueueProvider"/>;
    /// <paramref name="owner"/> names this controller on its locks, and <paramref name="dataTypes"/> are the types
    /// (beyond primitives) that workflow data, step state and event data may hold.
    /// </summary>
    public static WorkflowOptions UseEtcd(this WorkflowOptions options, EtcdConnection etcd, WorkflowFence fence, string owner, params Type[] dataTypes)
    {
        ArgumentNullException.ThrowIfNull(options);

        // One store for the whole host: WorkflowCore resolves its persistence as transient, and the store is stateless
        // but for its serializer caches, which are worth keeping.
        var store = new EtcdPersistenceProvider(etcd, fence, dataTypes);
        options.UsePersistence(_ => store);
        options.UseDistributedLockManager(_ => new EtcdDistributedLockProvider(etcd, fence, owner));
        options.UseQueueProvider(_ => new CoalescingQueueProvider(TimeProvider.System, CoalescingQueueProvider.DefaultPause));
        return options;
    }
}
