using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using LightMesh.Demo.Service.Protos;
using LightMesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LightMesh.Discovery.Tests;

/// <summary>The etcd:/// resolver as a gRPC client uses it: one channel, real demo instances coming and going.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdResolverTests(EtcdFixture etcd)
{
    private static readonly TimeSpan Following = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task EtcdChannel_ThreeInstances_SpreadsCallsOverAll()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        var demos = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => DemoProcess.StartAsync(mesh)));
        try
        {
            await Task.WhenAll(demos.Select(d => mesh.WaitForInstanceAsync(d.Id, Following)));
            using var client = EtcdClient(mesh);

            // Round robin only picks connected instances: wait until every one has answered once.
            var seen = new HashSet<string>();
            await Poll.UntilAsync(async () => seen.Add(await client.HelloAsync()), _ => seen.Count == 3, Following, "every instance to answer");
            var answers = new List<string>();
            for (var i = 0; i < 30; i++)
            {
                answers.Add(await client.HelloAsync());
            }

            var counts = answers.CountBy(id => id).ToDictionary();
            Assert.Equal(demos.Select(d => d.Id).Order(), counts.Keys.Order());
            Assert.All(counts.Values, count => Assert.InRange(count, 5, 15));
        }
        finally
        {
            await Task.WhenAll(demos.Select(d => d.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task EtcdChannel_InstanceAddedThenOneStopped_FollowsBothWithoutFailedCalls()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var first = await DemoProcess.StartAsync(mesh);
        await mesh.WaitForInstanceAsync(first.Id, Following);
        using var client = EtcdClient(mesh);
        Assert.Equal(first.Id, await client.HelloAsync());

        await using var second = await DemoProcess.StartAsync(mesh);
        await Poll.UntilAsync(client.HelloAsync, id => id == second.Id, Following, "the added instance to be called");

        // Calls go on without a pause while the first instance stops gracefully: none of them may fail.
        using var calling = new CancellationTokenSource();
        var calls = client.KeepCallingAsync(calling.Token);
        Assert.Equal(0, await first.TerminateAsync());
        await Poll.UntilAsync(() => Task.FromResult(client.Recent(20)), recent => recent.Count == 20 && recent.All(id => id == second.Id), Following, "only the second instance to be called");
        await calling.CancelAsync();
        var failures = await calls;

        Assert.Empty(failures);
    }

    [Fact]
    public async Task EtcdChannel_NoInstances_FailsUnavailableUntilOneRegisters()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        using var client = EtcdClient(mesh);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.HelloAsync());
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);

        await using var demo = await DemoProcess.StartAsync(mesh);
        await Poll.UntilAsync(client.TryHelloAsync, id => id == demo.Id, Following, "the new instance to be called");
    }

    private static EchoChannel EtcdClient(Mesh mesh)
    {
        var services = new ServiceCollection().AddLightMeshEtcdResolver(mesh.EtcdOptions).BuildServiceProvider();
        var channel = GrpcChannel.ForAddress($"etcd:///{Mesh.Service}", new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            ServiceProvider = services,
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } },
        });
        return new EchoChannel(services, channel);
    }

    /// <summary>A channel to etcd:///demo, and who answered its calls.</summary>
    private sealed class EchoChannel(ServiceProvider services, GrpcChannel channel) : IDisposable
    {
        private readonly Echo.EchoClient _client = new(channel);
        private readonly List<string> _answers = [];

        public async Task<string> HelloAsync()
        {
            var reply = await _client.HelloAsync(new HelloRequest { Name = "test" }, deadline: DateTime.UtcNow.AddSeconds(5));
            lock (_answers)
            {
                _answers.Add(reply.Instance);
            }

            return reply.Instance;
        }

        public async Task<string> TryHelloAsync()
        {
            try
            {
                return await HelloAsync();
            }
            catch (RpcException e)
            {
                return e.Status.ToString();
            }
        }

        public List<string> Recent(int count)
        {
            lock (_answers)
            {
                return _answers.TakeLast(count).ToList();
            }
        }

        /// <summary>Calls back to back until cancelled; returns the calls that failed.</summary>
        public async Task<List<string>> KeepCallingAsync(CancellationToken cancellationToken)
        {
            var failures = new List<string>();
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await HelloAsync();
                }
                catch (RpcException e)
                {
                    failures.Add(e.Status.ToString());
                }
            }

            return failures;
        }

        public void Dispose()
        {
            channel.Dispose();
            services.Dispose();
        }
    }
}
