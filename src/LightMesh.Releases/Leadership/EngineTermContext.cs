using LightMesh.Etcd.Leadership;

namespace LightMesh.Releases.Leadership;

/// <summary>The leadership term a term's service scope serves: what the services made in that scope know of their term.</summary>
public sealed class EngineTermContext : IDisposable
{
    /// <summary>
    /// The key of the services a term has of its own beside the controller's services of the same type: its waker and its
    /// inputs, whose writes are fenced by the term.
    /// </summary>
    public const string Key = "release-term";

    private LeaderTerm? _leader;
    private CancellationTokenSource? _ending;

    /// <summary>The term itself: every write the term's services make is fenced by it.</summary>
    public LeaderTerm Leader => _leader ?? throw NotBegun();

    /// <summary>Cancelled when the term ends: its lease is lost, the controller stops, or the engine stops the term.</summary>
    public CancellationToken Ending => (_ending ?? throw NotBegun()).Token;

    /// <summary>Set once, by the engine, as the term's scope opens: before any of the term's services is made.</summary>
    internal void Begin(LeaderTerm leader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leader);
        if (_leader is not null)
        {
            throw new InvalidOperationException("a release term's scope serves one term");
        }

        _leader = leader;
        _ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Ends the term for its services: its timers and analyses stop, and so do its loops.</summary>
    internal Task EndAsync() => _ending?.CancelAsync() ?? Task.CompletedTask;

    public void Dispose() => _ending?.Dispose();

    private static InvalidOperationException NotBegun() =>
        new("a release term's services are made only in a term's scope, which the release engine opens for each term it leads");
}
