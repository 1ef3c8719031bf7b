using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using LightMesh.Core.Releases;
using LightMesh.Demo.Service.Protos;
using LightMesh.Discovery.Channels;
using Microsoft.Extensions.DependencyInjection;

namespace LightMesh.Demo;

/// <summary>
/// Steady calls to the demo service through the proxyless <c>xds:///</c> client, routed per call by the control plane's
/// rules, so the weights a release writes to etcd shape them. Every <c>previewEvery</c>-th call, if asked, carries
/// the header that reaches a blue-green release's preview (<see cref="ReleaseStrategies.PreviewHeader"/>), as a tester's
/// would; with no preview, the routes send it on like any other. Counts who answered and who failed (a failed call names
/// its version in its trailers).
/// </summary>
public sealed class DemoTraffic : IAsyncDisposable
{
    private const int MaxInFlight = 64;
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(2);

    private readonly ServiceProvider _services;
    private readonly GrpcChannel _channel;
    private readonly Echo.EchoClient _echo;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, VersionCounts> _window = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset First, DateTimeOffset Last)> _seen = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _inFlight;
    private long _unattributed;
    private string? _lastFailure;

    private DemoTraffic(ServiceProvider services, string target, int callsPerSecond, int previewEvery, TimeProvider time)
    {
        _services = services;
        _time = time;
        _channel = MeshChannels.ForTarget(target, services);
        _echo = new Echo.EchoClient(_channel);
        _loop = RunAsync(TimeSpan.FromSeconds(1.0 / callsPerSecond), previewEvery, _stop.Token);
    }

    /// <summary>
    /// Starts calling <paramref name="target"/> (<c>xds:///SERVICE:PORT</c>) <paramref name="callsPerSecond"/> times a
    /// second; every <paramref name="previewEvery"/>-th call with the preview header (none when 0).
    /// </summary>
    public static DemoTraffic Start(string target, JsonNode bootstrap, int callsPerSecond, TimeProvider time, int previewEvery = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(callsPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(previewEvery);
        var services = new ServiceCollection()
            .AddLogging()
            .AddLightMeshXds(options =>
            {
                options.Bootstrap = bootstrap.ToJsonString();
                options.InitialReconnectDelay = TimeSpan.FromMilliseconds(200);
                options.MaxReconnectDelay = TimeSpan.FromSeconds(2);
            })
            .BuildServiceProvider();
        return new DemoTraffic(services, target, callsPerSecond, previewEvery, time);
    }

    /// <summary>What was answered since the last call to this method, by version; and the failures no version owned.</summary>
    public TrafficWindow Take()
    {
        lock (_lock)
        {
            var window = new TrafficWindow(
                _window.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
                Interlocked.Exchange(ref _unattributed, 0),
                _lastFailure);
            _window.Clear();
            _lastFailure = null;
            return window;
        }
    }

    /// <summary>Whether any version has answered a call yet (an error it returned included).</summary>
    public bool HasAnswered
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count > 0;
            }
        }
    }

    /// <summary>When <paramref name="version"/> first and last answered a call (an error it returned included), if ever.</summary>
    public (DateTimeOffset First, DateTimeOffset Last)? Seen(string version)
    {
        lock (_lock)
        {
            return _seen.TryGetValue(version, out var seen) ? seen : null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _channel.Dispose();
        await _services.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RunAsync(TimeSpan every, int previewEvery, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(every, _time);
        var calls = new List<Task>();
        var made = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                calls.RemoveAll(c => c.IsCompleted);
                if (Volatile.Read(ref _inFlight) < MaxInFlight)
                {
                    calls.Add(CallAsync(preview: previewEvery > 0 && ++made % previewEvery == 0, cancellationToken));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }

        await Task.WhenAll(calls);
    }

    private async Task CallAsync(bool preview, CancellationToken cancellationToken)
    {
        var headers = preview ? new Metadata { { ReleaseStrategies.PreviewHeader, "true" } } : null;
        Interlocked.Increment(ref _inFlight);
        try
        {
            var reply = await _echo.HelloAsync(new HelloRequest { Name = "demo" }, headers, DateTime.UtcNow + CallDeadline, cancellationToken);
            Count(reply.Version, failed: false);
        }
        catch (RpcException e) when (e.Trailers.GetValue("lightmesh-version") is { } version)
        {
            Count(version, failed: true);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            lock (_lock)
            {
                _unattributed++;
                _lastFailure = $"{e.StatusCode}: {e.Status.Detail}";
            }
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void Count(string version, bool failed)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var counts = _window.GetValueOrDefault(version);
            _window[version] = failed ? counts with { Failed = counts.Failed + 1 } : counts with { Answered = counts.Answered + 1 };
            _seen[version] = _seen.TryGetValue(version, out var seen) ? (seen.First, now) : (now, now);
        }
    }
}

/// <summary>Calls one version took: answered, and failed by it.</summary>
public readonly record struct VersionCounts(long Answered, long Failed)
{
    public long Total => Answered + Failed;
}

/// <summary>The calls of a stretch of time by version, the failures no version owned (no route, no endpoint), and the last of those.</summary>
public sealed record TrafficWindow(IReadOnlyDictionary<string, VersionCounts> Versions, long Unattributed, string? LastFailure)
{
    public long Total => Versions.Values.Sum(c => c.Total) + Unattributed;
}
