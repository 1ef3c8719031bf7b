using LightMesh.Etcd;
using LightMesh.Etcd.Leadership;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Leadership;

/// <summary>
/// Runs releases while this controller leads: campaigns for the <c>releases</c> election, and for each term opens a service
/// scope of the application's container, in which it runs a WorkflowCore host whose every write is fenced by the term
/// (<see cref="EngineTerm"/>). When the lease is lost the host stops at once; a standby that wins the next term resumes
/// every release from etcd.
/// </summary>
public sealed class ReleaseEngine(
    EtcdConnection etcd,
    IServiceScopeFactory scopes,
    ReleaseEngineOptions options,
    TimeProvider time,
    ILogger<ReleaseEngine> logger) : BackgroundService
{
    public const string Election = "releases";
    private static readonly TimeSpan FailureDelay = TimeSpan.FromSeconds(1);
    private volatile EngineTerm? _term;

    /// <summary>True while this controller leads and its workflow host runs.</summary>
    public bool IsLeader => _term is not null;

    /// <summary>The current leader's name, as written in etcd.</summary>
    public Task<string?> LeaderAsync(CancellationToken cancellationToken) => new LeaderElection(etcd, Election, time).LeaderAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var election = new LeaderElection(etcd, Election, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leader = await election.CampaignAsync(options.Candidate, options.LeaseTtl, options.LeaseTtl / 5, stoppingToken);
                using var both = CancellationTokenSource.CreateLinkedTokenSource(leader.Lost, stoppingToken);
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var term = Open(scope.ServiceProvider, leader, both.Token);
                    try
                    {
                        await term.StartAsync(both.Token);
                        _term = term;
                        ReleaseMetrics.Leader.Set(1);
                        Log.Leading(logger, options.Candidate, leader.Revision, term.Active);
                        await term.RunAsync(both.Token);
                    }
                    finally
                    {
                        // However the term ends, its host stops before the scope disposes the term's services.
                        await term.StopAsync();
                    }
                }

                _term = null;
                ReleaseMetrics.Leader.Set(0);
                if (!stoppingToken.IsCancellationRequested)
                {
                    Log.LeadershipLost(logger, options.Candidate);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                _term = null;
                ReleaseMetrics.Leader.Set(0);
                Log.EngineFailed(logger, FailureDelay, e);
                await Task.Delay(FailureDelay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>The term's services, in its scope: they know their term from the scope's <see cref="EngineTermContext"/>.</summary>
    private static EngineTerm Open(IServiceProvider scope, LeaderTerm leader, CancellationToken cancellationToken)
    {
        scope.GetRequiredService<EngineTermContext>().Begin(leader, cancellationToken);
        return scope.GetRequiredService<EngineTerm>();
    }
}
