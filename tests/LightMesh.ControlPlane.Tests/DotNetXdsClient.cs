using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using LightMesh.Discovery.Xds;
using LightMesh.Testing;
using Lightmesh.Interop;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// The .NET proxyless client under test: one <c>xds:///</c> channel made the way an app makes it
/// (<c>AddLightMeshXds</c>, <c>GrpcChannel.ForAddress</c>), driven with the same commands as <c>client.js</c>.
/// </summary>
internal sealed class DotNetXdsClient : IDisposable
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(5);

    private readonly ServiceProvider _services;
    private readonly GrpcChannel _channel;
    private readonly Echo.EchoClient _echo;
    private CancellationTokenSource? _loopStop;
    private Task? _loop;
    private Tally? _loopTally;

    private DotNetXdsClient(ServiceProvider services, GrpcChannel channel, LogLines log)
    {
        _services = services;
        _channel = channel;
        _echo = new Echo.EchoClient(channel);
        Log = log;
    }

    /// <summary>What the client logged, to explain a failure.</summary>
    public LogLines Log { get; }

    public static DotNetXdsClient Start(string target, JsonNode bootstrap, Action<XdsClientOptions>? configure = null)
    {
        var log = new LogLines();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(log).SetMinimumLevel(LogLevel.Debug))
            .AddLightMeshXds(options =>
            {
                options.Bootstrap = bootstrap.ToJsonString();
                options.InitialReconnectDelay = TimeSpan.FromMilliseconds(200);
                options.MaxReconnectDelay = TimeSpan.FromSeconds(1);
                configure?.Invoke(options);
            })
            .BuildServiceProvider();
        var channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions { Credentials = ChannelCredentials.Insecure, ServiceProvider = services });
        return new DotNetXdsClient(services, channel, log);
    }

    /// <summary>One call; its reply, or the failure it ended with.</summary>
    public async Task<(VersionReply? Reply, RpcException? Error)> CallAsync(IReadOnlyDictionary<string, string>? headers = null)
    {
        var metadata = new Metadata();
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            metadata.Add(name, value);
        }

        try
        {
            return (await _echo.VersionAsync(new VersionRequest(), metadata, DateTime.UtcNow + CallDeadline), null);
        }
        catch (RpcException e)
        {
            return (null, e);
        }
    }

    /// <summary><paramref name="count"/> calls, <paramref name="concurrency"/> at a time: who answered, and what failed.</summary>
    public async Task<Tally> CallsAsync(int count, IReadOnlyDictionary<string, string>? headers = null, int concurrency = 8)
    {
        var tally = new Tally();
        var started = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref started) <= count)
            {
                tally.Add(await CallAsync(headers));
            }
        }));
        return tally;
    }

    /// <summary>Calls until one is answered by <paramref name="version"/>.</summary>
    public Task WaitForVersionAsync(string version, TimeSpan timeout, IReadOnlyDictionary<string, string>? headers = null) =>
        Poll.UntilAsync(() => CallAsync(headers), r => r.Reply?.Version == version, timeout, $"a call answered by {version}; log:\n{Log}");

    /// <summary>Starts calling in the background, <paramref name="concurrency"/> at a time, until <see cref="StopAsync"/>.</summary>
    public void StartCalling(int concurrency = 4)
    {
        _loopStop = new CancellationTokenSource();
        _loopTally = new Tally();
        var stop = _loopStop.Token;
        var tally = _loopTally;
        _loop = Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                tally.Add(await CallAsync());
            }
        })));
    }

    /// <summary>Stops the background calls; what they got since <see cref="StartCalling"/>.</summary>
    public async Task<Tally> StopAsync()
    {
        await _loopStop!.CancelAsync();
        await _loop!;
        _loopStop.Dispose();
        _loopStop = null;
        _loop = null;
        return _loopTally!;
    }

    public void Dispose()
    {
        _loopStop?.Cancel();
        _loop?.Wait(TimeSpan.FromSeconds(10));
        _loopStop?.Dispose();
        _channel.Dispose();
        _services.Dispose();
    }

    /// <summary>Call outcomes: answers per version and per instance, and the failures.</summary>
    public sealed class Tally
    {
        private readonly ConcurrentDictionary<string, int> _versions = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, int> _instances = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<RpcException> _errors = new();

        public int Count(string version) => _versions.GetValueOrDefault(version);
        public int Total => _versions.Values.Sum() + _errors.Count;
        public int Errors => _errors.Count;
        public IReadOnlyCollection<RpcException> Failures => _errors;
        public IReadOnlyCollection<string> Instances => [.. _instances.Keys];

        public void Add((VersionReply? Reply, RpcException? Error) outcome)
        {
            if (outcome.Reply is { } reply)
            {
                _versions.AddOrUpdate(reply.Version, 1, (_, n) => n + 1);
                _instances.AddOrUpdate(reply.Instance, 1, (_, n) => n + 1);
            }
            else
            {
                _errors.Enqueue(outcome.Error!);
            }
        }

        public override string ToString() =>
            $"versions {{{string.Join(", ", _versions.Select(kv => $"{kv.Key}: {kv.Value}"))}}}, {Errors} errors{(Errors > 0 ? ": " + string.Join(" | ", _errors.Select(e => e.Status.ToString()).Distinct().Take(3)) : "")}";
    }
}
