using System.Net;
using LightMesh.ControlPlane.Publishing;
using LightMesh.Core.Documents;
using LightMesh.Core.Security;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Host.Security;
using LightMesh.Processes;
using LightMesh.Releases;
using LightMesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LightMesh.Host.Tests.Api;

/// <summary>
/// <c>/readyz</c> is what a load balancer in front of several controllers asks: a controller whose control plane has
/// published no snapshot answers every proxy that connects with nothing, so it is not ready, and says why.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ReadinessTests(EtcdFixture etcd)
{
    [Fact]
    public async Task AControllerThatHasBuiltNoSnapshot_IsNotReady_NamingTheFailure_UntilOneIsBuilt()
    {
        var prefix = etcd.NewPrefix();
        using var connection = etcd.Connect(prefix);
        var store = new DocumentStore(connection);
        Assert.Equal(WriteOutcome.Applied, (await store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service("faulty", 9400, "grpc")), default)).Outcome);
        var api = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var options = new ControllerOptions
        {
            Listen = api.ToString().TrimEnd('/'), XdsListen = $"127.0.0.1:{LoopbackPort.Free()}",
            Engine = new ReleaseEngineOptions { Candidate = $"test-{Guid.NewGuid():N}", LeaseTtl = TimeSpan.FromSeconds(3) },
            Settings = ControllerHarness.TokenSettings(0, "test", Roles.Viewer, TokenHash.NewToken()),
        };
        await using var server = await ControllerServer.StartAsync(
            new EtcdOptions { Endpoints = etcd.Endpoint, Prefix = prefix }, options, null, services => services.AddSingleton<MeshTranslation>(FaultyTranslation.WhileFaultyIsStored), default);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var readyz = new Uri(api, "readyz");

        // Once a release engine leads and the first translation is tried, the failure is all that keeps it from being ready.
        var notReady = await Poll.UntilAsync(
            () => ReadAsync(http, readyz),
            r => !r.Body.Contains("release engine", StringComparison.Ordinal) && r.Body.Contains("could not build", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15),
            "a leader known and the failure named");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Contains("xDS: no snapshot served yet; this controller could not build its snapshot at revision ", notReady.Body, StringComparison.Ordinal);
        Assert.Contains(": a fault in the translation", notReady.Body, StringComparison.Ordinal);

        var deleted = await store.DeleteAsync(DocumentKind.Service, "faulty", default);
        var ready = await Poll.UntilAsync(() => ReadAsync(http, readyz), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "ready once a snapshot is built");

        var served = long.Parse(System.Text.RegularExpressions.Regex.Match(ready.Body, @"serving snapshot revision (\d+)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(served >= deleted.Revision, ready.Body);
    }

    private static async Task<(HttpStatusCode Status, string Body)> ReadAsync(HttpClient http, Uri uri)
    {
        using var response = await http.GetAsync(uri);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
