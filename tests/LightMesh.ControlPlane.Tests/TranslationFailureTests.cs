using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Envoy.Config.Endpoint.V3;
using LightMesh.ControlPlane.Hosting;
using LightMesh.Core.Documents;
using LightMesh.Testing;
using LightMesh.Xds.Translation;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// A snapshot that cannot be built is not the end of the pushes: the proxies keep the last one, the failure is logged
/// and counted, and the first change after the cause is gone is pushed. No stored value is known to make the translation
/// fail, so these tests use one that fails while a Service named <c>faulty</c> is stored (<see cref="FaultyTranslation"/>).
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class TranslationFailureTests(EtcdFixture etcd)
{
    private const string Failures = "lightmesh_xds_translation_failures_total ";

    [Fact]
    public async Task ASnapshotThatCannotBeBuilt_KeepsTheLastOne_AndTheNextChangeIsPushed()
    {
        var log = new LogLines();
        await using var harness = await ControlPlaneHarness.StartAsync(etcd, log: log, translation: FaultyTranslation.WhileFaultyIsStored);
        await harness.RegisterAsync("checkout", "v1", 9321);
        var served = await Poll.UntilAsync(() => Task.FromResult(harness.Server.Registry.Current), s => Endpoints(s, "checkout") == 1, TimeSpan.FromSeconds(10), "checkout's instance served");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = new Uri($"http://{harness.Server.Options.Admin}/metrics");
        var failuresBefore = Counter(await http.GetStringAsync(metrics));

        var faulty = await harness.ApplyAsync(TestMeshes.Service("faulty", 9400, "grpc"));
        await harness.RegisterAsync("checkout", "v2", 9322);

        // Neither the Service nor the instance after it is served; the proxies keep what they had, and the failure says
        // which revision could not be built and which one is served.
        var line = await Poll.UntilAsync(
            () => Task.FromResult(log.Lines.FirstOrDefault(l => l.Contains("Could not build the xDS snapshot", StringComparison.Ordinal))),
            l => l is not null,
            TimeSpan.FromSeconds(10),
            "the failure logged");
        Assert.Contains($"the proxies keep revision {served.Revision}", line, StringComparison.Ordinal);
        Assert.Contains("a fault in the translation", line, StringComparison.Ordinal);
        Assert.True(Counter(await Poll.UntilAsync(() => http.GetStringAsync(metrics), m => Counter(m) > failuresBefore, TimeSpan.FromSeconds(5), "the failure counted")) > failuresBefore);
        Assert.Equal(served.Revision, harness.Server.Registry.Current.Revision);
        var status = await http.GetFromJsonAsync<StatusReport>(new Uri($"http://{harness.Server.Options.Admin}/status"), JsonSerializerOptions.Web);
        Assert.Equal(served.Revision, status!.Revision);
        Assert.True(status.NotBuilt is { Error: "a fault in the translation" } && status.NotBuilt.Revision >= faulty, $"{status.NotBuilt}");

        // It still serves the last snapshot: ready.
        Assert.Equal($"ready; serving snapshot revision {served.Revision}", await http.GetStringAsync(new Uri($"http://{harness.Server.Options.Admin}/readyz")));

        var deleted = await harness.Store.DeleteAsync(DocumentKind.Service, "faulty", default);
        var pushed = await Poll.UntilAsync(
            () => Task.FromResult(harness.Server.Registry.Current), s => s.Revision >= deleted.Revision, TimeSpan.FromSeconds(10), "a snapshot after the Service is deleted");

        Assert.True(faulty < deleted.Revision);
        Assert.Equal(2, Endpoints(pushed, "checkout"));
        Assert.Null(harness.Server.Registry.Failure);
    }

    [Fact]
    public async Task AControlPlaneThatHasBuiltNoSnapshot_IsNotReady_NamingTheFailure_UntilOneIsBuilt()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(
            etcd, TestMeshes.Join(ControlPlaneHarness.Checkout, TestMeshes.Service("faulty", 9400, "grpc")), translation: FaultyTranslation.WhileFaultyIsStored);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var readyz = new Uri($"http://{harness.Server.Options.Admin}/readyz");

        var notReady = await Poll.UntilAsync(() => ReadAsync(http, readyz), r => r.Body.Contains("could not build", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the failure named");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Matches(@"^xDS: no snapshot served yet; this controller could not build its snapshot at revision \d+: a fault in the translation$", notReady.Body);

        var deleted = await harness.Store.DeleteAsync(DocumentKind.Service, "faulty", default);
        var ready = await Poll.UntilAsync(() => ReadAsync(http, readyz), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "ready once a snapshot is built");

        Assert.Equal($"ready; serving snapshot revision {harness.Server.Registry.Current.Revision}", ready.Body);
        Assert.True(harness.Server.Registry.Current.Revision >= deleted.Revision);
    }

    private static async Task<(HttpStatusCode Status, string Body)> ReadAsync(HttpClient http, Uri uri)
    {
        using var response = await http.GetAsync(uri);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static int Endpoints(XdsSnapshot snapshot, string service) =>
        snapshot.Endpoints.TryGetValue($"outbound|8080||{service}", out var endpoints) ? ((ClusterLoadAssignment)endpoints.Message).Endpoints.Sum(l => l.LbEndpoints.Count) : 0;

    private static double Counter(string metrics) =>
        double.Parse(metrics.Split('\n').Single(l => l.StartsWith(Failures, StringComparison.Ordinal))[Failures.Length..], CultureInfo.InvariantCulture);
}
