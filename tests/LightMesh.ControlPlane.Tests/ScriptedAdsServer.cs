using System.Collections.Concurrent;
using Envoy.Service.Discovery.V3;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using LightMesh.Processes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// A real ADS server (the generated service on Kestrel) that serves exactly the resources a test gives it, valid or
/// not, so that a client can be shown what our control plane would never send. It answers a request whose names
/// changed with the named resources it has (nothing if it has none), and keeps every request for the test to read.
/// </summary>
internal sealed class ScriptedAdsServer : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase, IAsyncDisposable
{
    private readonly ConcurrentQueue<DiscoveryRequest> _requests = new();
    private readonly Dictionary<string, List<(string Name, Any Resource)>> _resources = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private int _nonces;

    public int Port { get; private set; }

    public IReadOnlyList<DiscoveryRequest> Requests => [.. _requests];

    /// <summary>Serves <paramref name="resource"/> under <paramref name="name"/> for <paramref name="typeUrl"/>; several under one name are all sent.</summary>
    public ScriptedAdsServer Serve(string typeUrl, string name, Google.Protobuf.IMessage resource)
    {
        if (!_resources.TryGetValue(typeUrl, out var list))
        {
            _resources[typeUrl] = list = [];
        }

        list.Add((name, Any.Pack(resource)));
        return this;
    }

    public async Task<ScriptedAdsServer> StartAsync()
    {
        Port = LoopbackPort.Free();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(Port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        _app = builder.Build();
        _app.MapGrpcService<ScriptedAdsServer>();
        await _app.StartAsync();
        return this;
    }

    public override async Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context)
    {
        var subscribed = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            _requests.Enqueue(request);
            var names = string.Join(",", request.ResourceNames.Order(StringComparer.Ordinal));
            if (subscribed.TryGetValue(request.TypeUrl, out var before) && before == names)
            {
                continue; // an ACK or a NACK
            }

            subscribed[request.TypeUrl] = names;
            var served = _resources.GetValueOrDefault(request.TypeUrl)?.Where(r => request.ResourceNames.Contains(r.Name)).ToList() ?? [];
            if (served.Count > 0)
            {
                var response = new DiscoveryResponse { TypeUrl = request.TypeUrl, VersionInfo = "1", Nonce = $"n{Interlocked.Increment(ref _nonces)}" };
                response.Resources.AddRange(served.Select(r => r.Resource));
                await responseStream.WriteAsync(response, context.CancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }
    }
}
