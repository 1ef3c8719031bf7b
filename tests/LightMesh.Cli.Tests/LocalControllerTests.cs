using LightMesh.Processes;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>A controller started as a child process (what the demo and the benchmarks start) reports what it logged.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class LocalControllerTests(EtcdFixture etcd)
{
    [Fact]
    public async Task AController_ThatWarns_IsCountedAndItsFirstWarningKept()
    {
        await using var controller = await LocalController.StartAsync(
            new LocalControllerOptions
            {
                Etcd = etcd.Endpoint, Prefix = etcd.NewPrefix(), Name = $"test-{Guid.NewGuid():N}",
                Flags = ["--allow-anonymous-proxies", "true", "--lease-ttl", "2s"],
            },
            CancellationToken.None);

        await Poll.UntilAsync(() => Task.FromResult(controller.FirstWarning), line => line is not null, TimeSpan.FromSeconds(10), "a warning in its log");

        Assert.True(controller.Warnings >= 1);
        Assert.StartsWith("warn:", controller.FirstWarning, StringComparison.Ordinal);
        Assert.Contains("Anonymous proxies are allowed", controller.FirstWarning, StringComparison.Ordinal);
        Assert.True(controller.FirstError is null, controller.FirstError);
    }
}
