using System.Collections.Concurrent;
using System.Globalization;

namespace LightMesh.Releases.Tests.Chaos;

/// <summary>
/// What a chaos run did, in order: its seed (from which every choice follows, so a run can be replayed with
/// <c>LIGHTMESH_CHAOS_SEED</c>), each action with when and how it was answered, and every broken promise found.
/// </summary>
public sealed class ChaosScript(int seed)
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _broken = new();
    private long _lastDisturbance = DateTimeOffset.UtcNow.UtcTicks;

    public int Seed { get; } = seed;

    public IReadOnlyCollection<string> Broken => _broken;

    /// <summary>When the mesh was last disturbed (a controller killed, etcd stopped, a node faulted or held); releases are timed from it.</summary>
    public DateTimeOffset LastDisturbance => new(Interlocked.Read(ref _lastDisturbance), TimeSpan.Zero);

    public void Log(string who, string what) =>
        _lines.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{(DateTimeOffset.UtcNow - _start).TotalSeconds,7:F1}s {who,-12} {what}"));

    /// <summary>Records a disturbance of the whole mesh, lasting until now.</summary>
    public void Disturbed(string what)
    {
        Interlocked.Exchange(ref _lastDisturbance, DateTimeOffset.UtcNow.UtcTicks);
        Log("chaos", what);
    }

    public void Break(string release, string promise)
    {
        _broken.Enqueue($"{release}: {promise}");
        Log("BROKEN", $"{release}: {promise}");
    }

    public override string ToString() =>
        $"chaos run with seed {Seed} (replay: LIGHTMESH_CHAOS_SEED={Seed}); broken promises: {_broken.Count}\n{string.Join("\n", _broken)}\nwhat happened:\n{string.Join("\n", _lines)}";
}
