using WorkflowCore.Interface;
using LightMesh.Releases.Runs;

namespace LightMesh.Releases.Leadership;

/// <summary>
/// One leadership term of the release engine, made in the term's own service scope: a WorkflowCore host on etcd whose
/// writes are fenced by the term, the reconciliation that gives every active release a running workflow (at the start of
/// the term, and whenever a release starts on any controller), and the term's other loops (<see cref="ITermLoop"/>).
/// </summary>
public sealed class EngineTerm(
    IWorkflowHost host,
    ReleaseReconciler reconciler,
    IEnumerable<ITermLoop> loops,
    ReleaseTimers timers,
    EngineTermContext context)
{
    private bool _hostStarted;

    /// <summary>How many releases were active as the term began.</summary>
    public int Active { get; private set; }

    /// <summary>Starts the term's workflow host and gives every active release its workflow.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        host.RegisterWorkflow<DurableRun, ReleaseRunData>();
        await host.StartAsync(cancellationToken);
        _hostStarted = true;
        Active = await reconciler.ReconcileAsync(cancellationToken);
    }

    /// <summary>
    /// Keeps giving releases that start (on any controller) their workflow until the term ends, with the term's other
    /// loops beside it. However it ends, every loop is stopped and awaited before it returns: none outlives its term.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.Ending);
        Task[] beside = [.. loops.Select(loop => loop.RunAsync(running.Token))];
        try
        {
            await reconciler.FollowAsync(running.Token);
        }
        finally
        {
            await running.CancelAsync();
            await Task.WhenAll(beside);
        }
    }

    /// <summary>
    /// Ends the term: its timers and analyses are cancelled, then its host is stopped. The term's services are disposed
    /// after this, with its scope.
    /// </summary>
    public async Task StopAsync()
    {
        await context.EndAsync();
        if (_hostStarted)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(timeout.Token);
        }

        timers.Dispose();
    }
}
