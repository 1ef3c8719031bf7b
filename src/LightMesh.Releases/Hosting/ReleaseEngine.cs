using LightMesh.Etcd;
using LightMesh.Etcd.Leadership;
using LightMesh.Releases.Engine;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Hosting;

/// <summary>
/// Runs releases while this controller leads: campaigns for the <c>releases</c> election, and for each term runs a
/// WorkflowCore host whose every write is fenced by the term (<see cref="ReleaseTerm"/>). When the lease is lost the
/// host stops at once; a standby that wins the next term resumes every release from etcd.
/// </summary>
public sealed class ReleaseEngine(
    EtcdConnection etcd,
    ReleaseTermServices shared,
    ReleaseEngineOptions options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    public const string Election = "releases";
    private static readonly TimeSpan FailureDelay = TimeSpan.FromSeconds(1);
    private readonly ILogger _logger = loggers.CreateLogger<ReleaseEngine>();
    private volatile ReleaseTerm? _term;

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
                await using (var term = await ReleaseTerm.StartAsync(leader, shared, options, time, loggers, both.Token))
                {
                    _term = term;
                    ReleaseMetrics.Leader.Set(1);
                    Log.Leading(_logger, options.Candidate, leader.Revision, term.Active);
                    await term.RunAsync(both.Token);
                }

                _term = null;
                ReleaseMetrics.Leader.Set(0);
                if (!stoppingToken.IsCancellationRequested)
                {
                    Log.LeadershipLost(_logger, options.Candidate);
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
                Log.EngineFailed(_logger, FailureDelay, e);
                await Task.Delay(FailureDelay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
