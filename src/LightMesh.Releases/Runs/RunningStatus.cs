using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Runs;

/// <summary>
/// Saves what a release's status shows while its analysis step runs: the metrics it could not measure
/// (<see cref="ReleaseState.Unmeasured"/>, as <see cref="UnmeasuredMetric.After"/> decides). Each save is guarded by the
/// revision the runner read the release at (then by its own last save) and fenced by the term, like every save of the
/// release, and is made beside the analysis, never in its way: a save that fails is logged, and once the release changed
/// under it (an operator acted) or the term ended, nothing more is saved. The runner asks it which changes of the
/// release were its own saves (no reason to stop the analysis), and, once the analysis ended, the revision to save at.
/// </summary>
public sealed class RunningStatus : IProgress<(string Template, MetricMeasured Measured)>
{
    private readonly ReleaseStore _store;
    private readonly LeaderTerm _leader;
    private readonly ILogger _logger;
    private readonly CancellationToken _cancellationToken;
    private readonly Lock _lock = new();
    private readonly HashSet<long> _saved = [];
    private ReleaseState _stored;
    private long _revision;
    private IReadOnlyList<UnmeasuredMetric> _wanted = [];
    private Task _saving = Task.CompletedTask;
    private bool _running;
    private bool _closed;

    /// <param name="read">The release as the runner read it, at <paramref name="revision"/>.</param>
    public RunningStatus(ReleaseStore store, LeaderTerm leader, ReleaseState read, long revision, ILogger logger, CancellationToken cancellationToken)
    {
        _store = store;
        _leader = leader;
        _logger = logger;
        _cancellationToken = cancellationToken;
        _stored = read;
        _revision = revision;

        // A note left by a run that did not end (a controller that stopped, a step begun again) says nothing of this run.
        lock (_lock)
        {
            SaveWhenWanted();
        }
    }

    /// <summary>Takes a measurement in; if the metrics noted change, they are saved in the background.</summary>
    public void Report((string Template, MetricMeasured Measured) value)
    {
        lock (_lock)
        {
            var next = UnmeasuredMetric.After(_wanted, _stored.Step, value.Template, value.Measured);
            if (!_closed && !ReferenceEquals(next, _wanted))
            {
                _wanted = next;
                SaveWhenWanted();
            }
        }
    }

    /// <summary>True when the release's change at <paramref name="modRevision"/> was one of these saves (waiting for a save under way).</summary>
    public async Task<bool> SavedAsync(long modRevision)
    {
        Task saving;
        lock (_lock)
        {
            if (_saved.Contains(modRevision))
            {
                return true;
            }

            saving = _saving;
        }

        await saving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_lock)
        {
            return _saved.Contains(modRevision);
        }
    }

    /// <summary>Saves nothing more, waits for a save under way, and gives the revision the release was last read or saved at.</summary>
    public async Task<long> CloseAsync()
    {
        Task saving;
        lock (_lock)
        {
            _closed = true;
            saving = _saving;
        }

        await saving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_lock)
        {
            return _revision;
        }
    }

    /// <summary>Starts saving, unless a save is under way (it saves what is wanted next). Called holding the lock.</summary>
    private void SaveWhenWanted()
    {
        if (!_running && !_closed && !Same(_wanted, _stored.Unmeasured))
        {
            _running = true;
            _saving = Task.Run(SaveAsync, CancellationToken.None);
        }
    }

    private async Task SaveAsync()
    {
        while (true)
        {
            ReleaseState state;
            long revision;
            lock (_lock)
            {
                if (_closed || Same(_wanted, _stored.Unmeasured))
                {
                    _running = false;
                    return;
                }

                state = _stored with { Unmeasured = _wanted };
                revision = _revision;
            }

            var (savedAt, why, failure) = await TrySaveAsync(state, revision);
            lock (_lock)
            {
                if (savedAt is { } at)
                {
                    (_stored, _revision) = (state, at);
                    _saved.Add(at);
                    continue;
                }

                // The release changed under us (its command is stopped and decided again), the term ended, or etcd did
                // not answer: a save after this one could only be refused, or land on a release that has moved on.
                (_closed, _running) = (true, false);
            }

            if (!_cancellationToken.IsCancellationRequested)
            {
                Log.StatusNotSaved(_logger, state.Id, state.Service, state.Step, why, failure);
            }

            return;
        }
    }

    /// <summary>One guarded, fenced save: the revision it was saved at, or why not; never an exception, so the analysis cannot fail of it.</summary>
    private async Task<(long? SavedAt, string Why, Exception? Failure)> TrySaveAsync(ReleaseState state, long revision)
    {
        try
        {
            return await _store.SaveStatusAsync(state, revision, _leader, _cancellationToken) switch
            {
                (ReleaseWriteOutcome.Written, var at) => (at, "", null),
                (ReleaseWriteOutcome.NotLeader, _) => (null, "no longer the leader", null),
                _ => (null, "the release changed meanwhile", null),
            };
        }
        catch (Exception e)
        {
            return (null, e.Message, e);
        }
    }

    private static bool Same(IReadOnlyList<UnmeasuredMetric> a, IReadOnlyList<UnmeasuredMetric> b) => a.SequenceEqual(b);
}
