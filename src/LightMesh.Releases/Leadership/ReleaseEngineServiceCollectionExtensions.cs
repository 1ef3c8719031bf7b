using LightMesh.Etcd;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Maintenance;
using LightMesh.Releases;
using LightMesh.Releases.Scheduling;
using LightMesh.DurableExecution;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WorkflowCore.Interface;
using WorkflowCore.Models;
using LightMesh.Releases.Leadership;
using LightMesh.Releases.Notifications;
using LightMesh.Releases.Requests;
using LightMesh.Releases.Runs;
using LightMesh.Releases.Steps;

#pragma warning disable IDE0130 // Extension methods live where services.AddXxx() users look for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Wires the release engine into a host: its campaign for leadership, and the services of each term it leads.</summary>
public static class ReleaseEngineServiceCollectionExtensions
{
    private const string Term = EngineTermContext.Key;

    /// <summary>
    /// Adds the release engine (<see cref="ReleaseEngine"/>, a hosted service) and the services of its terms. Each term runs
    /// in a scope of this container: its scoped services (its WorkflowCore host, store, timers, loops) are the term's, made
    /// for it and disposed after it, and know their term from <see cref="EngineTermContext"/>. The host registers what
    /// the engine uses beside: the stores, <see cref="TrafficSteps"/>, <see cref="AnalysisSteps"/>,
    /// <see cref="WebhookCaller"/>, the node deployer, <see cref="NotificationSender"/>, <see cref="ReleaseService"/>
    /// and the <see cref="ReleaseEngineOptions"/>.
    /// </summary>
    public static IServiceCollection AddLightMeshReleaseEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(ReleaseEngine)))
        {
            return services; // added already (WorkflowCore can be added only once)
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<EngineTermContext>();
        services.TryAddScoped(sp => WorkflowFence.Of(Context(sp).Leader));
        AddWorkflows(services);
        AddEngine(services);
        AddLoops(services);
        services.TryAddSingleton<HistoryCompactor>();
        services.TryAddScoped<ReleaseReconciler>();
        services.TryAddScoped<EngineTerm>();
        services.TryAddSingleton<ReleaseEngine>();
        services.AddHostedService(sp => sp.GetRequiredService<ReleaseEngine>());
        return services;
    }

    /// <summary>A WorkflowCore host per term, on etcd, its every write and lock fenced by the term's lease.</summary>
    private static void AddWorkflows(IServiceCollection services)
    {
        // One store for the term's host (WorkflowCore asks for its persistence as transient); the loops use it too.
        services.TryAddScoped(sp => new EtcdPersistenceProvider(sp.GetRequiredService<EtcdConnection>(), sp.GetRequiredService<WorkflowFence>(), [typeof(ReleaseRunData)]));
        services.AddWorkflowPerScope(workflows =>
        {
            workflows.UsePersistence(sp => sp.GetRequiredService<EtcdPersistenceProvider>());
            workflows.UseQueueProvider(sp => new CoalescingQueueProvider(sp.GetRequiredService<TimeProvider>(), CoalescingQueueProvider.DefaultPause));
            workflows.UseDistributedLockManager(sp => new EtcdDistributedLockProvider(
                sp.GetRequiredService<EtcdConnection>(), sp.GetRequiredService<WorkflowFence>(), Options(sp).Candidate));
        });

        // WorkflowCore reads its timings from its options as it runs: each term's are made from the engine's options in
        // the container (those AddWorkflow kept were only for choosing the store and locks above).
        services.Replace(ServiceDescriptor.Scoped(sp => Timings(new WorkflowOptions(services), Options(sp))));

        // Replaces WorkflowCore's own: see ShortGreyList.
        services.Replace(ServiceDescriptor.Scoped<IGreyList>(sp => new ShortGreyList(sp.GetRequiredService<TimeProvider>(), GreyListTtl(Options(sp)))));
        services.TryAddEnumerable(ServiceDescriptor.Transient<IWorkflowMiddleware, ReleaseIdMiddleware>());
        services.TryAddTransient<AdvanceRelease>();
    }

    /// <summary>What carries a term's releases forward: the runner and what it uses.</summary>
    private static void AddEngine(IServiceCollection services)
    {
        // Keyed: the term wakes its releases and feeds them inputs with writes fenced by the term, while the container's
        // own waker and inputs (unfenced) take an operator's action on any controller.
        services.TryAddKeyedScoped<IReleaseWaker>(Term, (sp, _) => new WorkflowEventWaker(sp.GetRequiredService<EtcdPersistenceProvider>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddKeyedScoped(Term, (sp, _) => WithTerm<ReleaseInputs>(sp, Waker(sp)));
        services.TryAddScoped(sp => ActivatorUtilities.CreateInstance<ReleaseTimers>(sp, Waker(sp), Options(sp).RetryDelay, Context(sp).Ending));
        services.TryAddScoped(sp => ActivatorUtilities.CreateInstance<BackgroundAnalyses>(
            sp, (Func<ICommandExecutor>)sp.GetRequiredService<ICommandExecutor>, sp.GetRequiredKeyedService<ReleaseInputs>(Term), Context(sp).Ending));
        services.TryAddScoped<ICommandExecutor>(sp => WithTerm<CommandExecutor>(sp));
        services.TryAddScoped<DeliveryGate>();
        services.TryAddScoped(sp => WithTerm<ReleaseRunner>(sp));
    }

    /// <summary>The loops that run beside a term, in the order they start in.</summary>
    private static void AddLoops(IServiceCollection services) =>
        services.TryAddEnumerable(
        [
            ServiceDescriptor.Scoped<ITermLoop, WakeUpFeed>(),
            ServiceDescriptor.Scoped<ITermLoop, WorkflowPurgeLoop>(),
            ServiceDescriptor.Scoped<ITermLoop, ScheduleRunner>(sp => WithTerm<ScheduleRunner>(sp, Options(sp).ScheduleInterval)),
            ServiceDescriptor.Scoped<ITermLoop, PhaseCountLoop>(),
            ServiceDescriptor.Scoped<ITermLoop, NotificationOutbox>(sp => WithTerm<NotificationOutbox>(sp)),
            ServiceDescriptor.Scoped<ITermLoop, ReleaseSweep>(sp => ActivatorUtilities.CreateInstance<ReleaseSweep>(
                sp, Waker(sp), (Func<string, CancellationToken, Task>)sp.GetRequiredService<ReleaseReconciler>().EnsureWorkflowAsync, Options(sp).RecheckInterval)),
            ServiceDescriptor.Scoped<ITermLoop, ReleaseHistoryKeeper>(sp => WithTerm<ReleaseHistoryKeeper>(sp)),
            ServiceDescriptor.Scoped<ITermLoop, ReleaseGroupRunner>(sp => WithTerm<ReleaseGroupRunner>(sp)),
            ServiceDescriptor.Scoped<ITermLoop, GroupNotifications>(sp => WithTerm<GroupNotifications>(sp)),
            ServiceDescriptor.Scoped<ITermLoop, EtcdCompactionLoop>(sp => WithTerm<EtcdCompactionLoop>(sp)),
        ]);

    /// <summary>
    /// Makes a service that takes the term's <see cref="LeaderTerm"/>: the term and <paramref name="values"/> from here, the
    /// rest from the container. The term is handed in, never registered: the container would dispose it with the scope,
    /// and giving the term up is the engine's, after the term's host has stopped.
    /// </summary>
    private static T WithTerm<T>(IServiceProvider services, params object[] values) =>
        ActivatorUtilities.CreateInstance<T>(services, [Context(services).Leader, .. values]);

    private static EngineTermContext Context(IServiceProvider services) => services.GetRequiredService<EngineTermContext>();

    private static ReleaseEngineOptions Options(IServiceProvider services) => services.GetRequiredService<ReleaseEngineOptions>();

    private static IReleaseWaker Waker(IServiceProvider services) => services.GetRequiredKeyedService<IReleaseWaker>(Term);

    private static TimeSpan GreyListTtl(ReleaseEngineOptions options) =>
        options.PollInterval * 5 < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : options.PollInterval * 5;

    /// <summary>
    /// How long a WorkflowCore consumer with every worker busy waits before it looks again. Its default, 100 ms, is a
    /// pause after every batch: its event consumer works on max(cores, 2) events at once, so on two cores at most two
    /// releases a tenth of a second were woken (an operator's action, a start, a timer), however quickly each was done.
    /// </summary>
    public static readonly TimeSpan BusyWorkersRecheck = TimeSpan.FromMilliseconds(5);

    private static WorkflowOptions Timings(WorkflowOptions workflows, ReleaseEngineOptions options)
    {
        workflows.UsePollInterval(options.PollInterval);
        workflows.UseIdleTime(BusyWorkersRecheck);
        workflows.UseMaxConcurrentWorkflows(options.MaxConcurrentReleases);
        workflows.UseErrorRetryInterval(options.RetryDelay);
        return workflows;
    }
}
