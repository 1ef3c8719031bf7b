using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Watching;
using LightMesh.Releases.Engine;
using LightMesh.Releases.Scheduling;
using LightMesh.Releases.Workflow;
using LightMesh.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WorkflowCore.Interface;

namespace LightMesh.Releases.Hosting;

/// <summary>
/// One leadership term of the release engine: a WorkflowCore host on etcd whose writes are fenced by the term, the
/// runner, timers and background analyses it uses, and the reconciliation that gives every active release a running
/// workflow (at the start of the term, and whenever a release starts on any controller), and the schedules it fires.
/// </summary>
public sealed class ReleaseTerm : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IWorkflowHost _host;
    private readonly IPersistenceProvider _store;
    private readonly ReleaseTermServices _shared;
    private readonly CancellationTokenSource _stop;

    private ReleaseTerm(ServiceProvider services, ReleaseTermServices shared, CancellationTokenSource stop)
    {
        _services = services;
        _shared = shared;
        _stop = stop;
        _host = services.GetRequiredService<IWorkflowHost>();
        _store = services.GetRequiredService<IPersistenceProvider>();
    }


    public int Active { get; private set; }

    /// <summary>The revision the term's reconciliation read at; the watch for new releases starts right after it.</summary>
    private long _reconciledAt;

    public ReleaseRunner Runner => _services.GetRequiredService<ReleaseRunner>();

    public static async Task<ReleaseTerm> StartAsync(LeaderTerm leader, ReleaseTermServices shared, ReleaseEngineOptions options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var services = new ServiceCollection();
        services.AddSingleton(loggers);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddWorkflow(o =>
        {
            o.UseEtcd(shared.Etcd, WorkflowFence.Of(leader), options.Candidate, typeof(ReleaseRunData));
            o.UsePollInterval(options.PollInterval);
            o.UseMaxConcurrentWorkflows(options.MaxConcurrentReleases);
            o.UseErrorRetryInterval(options.RetryDelay);
        });
        services.AddWorkflowMiddleware<ReleaseIdMiddleware>();

        // Replaces WorkflowCore's own (registered by AddWorkflow): see ShortGreyList.
        services.AddSingleton<IGreyList>(new ShortGreyList(time, options.PollInterval * 5 < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : options.PollInterval * 5));
        services.AddSingleton(leader);
        services.AddSingleton(time);
        services.AddSingleton(options);
        services.AddSingleton(shared.Releases);
        services.AddSingleton(shared.Watcher);
        services.AddSingleton(sp => new NotificationOutbox(shared.Releases, shared.Watcher, shared.Notifications, leader, time, sp.GetRequiredService<ILogger<NotificationOutbox>>()));
        services.AddSingleton(sp => new ReleaseHistoryKeeper(shared.History, leader, options, time, sp.GetRequiredService<ILogger<ReleaseHistoryKeeper>>()));
        services.AddSingleton<IReleaseWaker>(sp => new WorkflowEventWaker((EtcdPersistenceProvider)sp.GetRequiredService<IPersistenceProvider>(), time));
        services.AddSingleton(sp => new ReleaseTimers(sp.GetRequiredService<IReleaseWaker>(), time, options.RetryDelay, sp.GetRequiredService<ILogger<ReleaseTimers>>(), stop.Token));
        services.AddSingleton<IReleaseActions>(_ => new ReleaseActions(
            shared.Documents, shared.Releases, shared.Registry, shared.Traffic, shared.Analysis, shared.Webhooks, shared.Deployer, leader, time, options));
        services.AddSingleton(sp => new ReleaseInputs(shared.Releases, sp.GetRequiredService<IReleaseWaker>(), time, leader));
        services.AddSingleton(sp => new BackgroundAnalyses(
            shared.Releases, sp.GetRequiredService<IReleaseActions>, sp.GetRequiredService<ReleaseInputs>(), time, options, loggers.CreateLogger<BackgroundAnalyses>(), stop.Token));
        services.AddSingleton(new DeliveryGate(shared.Documents, time));
        services.AddSingleton<ReleaseRunner>();
        services.AddTransient<AdvanceRelease>();
        services.AddSingleton(sp => new ScheduleRunner(shared.Documents, shared.Schedules, shared.Starter, leader, time, options.ScheduleInterval, sp.GetRequiredService<ILogger<ScheduleRunner>>()));

        var provider = services.BuildServiceProvider();
        var term = new ReleaseTerm(provider, shared, stop);
        term._host.RegisterWorkflow<ReleaseRunWorkflow, ReleaseRunData>();
        await term._host.StartAsync(stop.Token);
        await term.ReconcileAsync(stop.Token);
        return term;
    }

    /// <summary>
    /// Keeps giving releases that start (on any controller) their workflow until the term ends, with the term's other
    /// loops beside it. However it ends, every loop is stopped and awaited before it returns: none outlives its term.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = running.Token;
        Task[] loops =
        [
            PurgeAsync(token),
            _services.GetRequiredService<ScheduleRunner>().RunAsync(token),
            CountPhasesAsync(token),
            _services.GetRequiredService<NotificationOutbox>().RunAsync(token),
            new ReleaseSweep(_shared.Releases, _services.GetRequiredService<IReleaseWaker>(), EnsureWorkflowAsync, _services.GetRequiredService<TimeProvider>(),
                _services.GetRequiredService<ReleaseEngineOptions>().RecheckInterval, _services.GetRequiredService<ILogger<ReleaseSweep>>()).RunAsync(token),
            _services.GetRequiredService<ReleaseHistoryKeeper>().RunAsync(token),
        ];
        try
        {
            await foreach (var update in _shared.Watcher.WatchAsync(_shared.Releases.ActivePrefix, _reconciledAt + 1, token))
            {
                var started = update switch
                {
                    WatchChanges changes => changes.Changes.Where(c => c.Value is not null).Select(c => c.Value!).ToList(),
                    WatchResync resync => resync.State.Select(c => c.Value!).ToList(),
                    _ => [],
                };
                foreach (var id in started)
                {
                    try
                    {
                        await EnsureWorkflowAsync(id, token);
                    }
                    catch (Exception e) when (e is Core.ServerUnreachableException && !token.IsCancellationRequested)
                    {
                        // etcd is away: the sweep gives the release its workflow once it is back.
                        Telemetry.Log.EnsureWorkflowFailed(_services.GetRequiredService<ILogger<ReleaseTerm>>(), id, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The term ended.
        }
        finally
        {
            await running.CancelAsync();
            await Task.WhenAll(loops);
        }
    }

    /// <summary>Keeps the releases-by-phase gauge current while this controller leads.</summary>
    private async Task CountPhasesAsync(CancellationToken cancellationToken)
    {
        var time = _services.GetRequiredService<TimeProvider>();
        var interval = _services.GetRequiredService<ReleaseEngineOptions>().PhaseCountInterval;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    // From the release index: the phase of every release without reading one.
                    Telemetry.ReleaseMetrics.CountPhases((await _shared.History.ListingsAsync(cancellationToken)).Select(e => e.Listing.Phase));
                }
                catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
                {
                    // etcd is away (or an index entry is not one): the gauge keeps its last counts until the next round.
                }

                await Task.Delay(interval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
        finally
        {
            Telemetry.ReleaseMetrics.ForgetPhases();
        }
    }

    /// <summary>Deletes WorkflowCore's spent records (processed events, finished workflows) once they are past retention.</summary>
    private async Task PurgeAsync(CancellationToken cancellationToken)
    {
        var options = _services.GetRequiredService<ReleaseEngineOptions>();
        var time = _services.GetRequiredService<TimeProvider>();
        var interval = TimeSpan.FromTicks(Math.Clamp(options.WorkflowRetention.Ticks / 6, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(10).Ticks));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, time, cancellationToken);
                await ((EtcdPersistenceProvider)_store).PurgeAsync((time.GetUtcNow() - options.WorkflowRetention).UtcDateTime, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
        catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException)
        {
            // The next term purges; nothing depends on it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(timeout.Token);
        _services.GetRequiredService<ReleaseTimers>().Dispose();
        await _services.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary>Every active release gets its workflow, its timed pause re-armed at its original deadline, its background analysis.</summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var timers = _services.GetRequiredService<ReleaseTimers>();
        var background = _services.GetRequiredService<BackgroundAnalyses>();
        var (ids, revision) = await _shared.Releases.ActiveIdsAsync(cancellationToken);
        _reconciledAt = revision;
        Active = ids.Count;
        foreach (var id in ids)
        {
            await EnsureWorkflowAsync(id, cancellationToken);
            if ((await _shared.Releases.GetAsync(id, cancellationToken)).State is { } state)
            {
                timers.Arm(id, state.PauseUntil ?? DateTimeOffset.MinValue);
                background.Ensure(state);
            }
        }
    }

    private async Task EnsureWorkflowAsync(string releaseId, CancellationToken cancellationToken)
    {
        if (await _store.GetWorkflowInstance(releaseId, cancellationToken) is not null)
        {
            return;
        }

        try
        {
            await _host.StartWorkflow(ReleaseRunWorkflow.Name, 1, new ReleaseRunData { ReleaseId = releaseId }, releaseId);
        }
        catch (Core.LightMeshException e) when (e is not NotLeaderException)
        {
            // Started at the same moment by the other path (term start, or the watch), unless it is really missing.
            if (await _store.GetWorkflowInstance(releaseId, cancellationToken) is null)
            {
                throw;
            }
        }
    }
}
