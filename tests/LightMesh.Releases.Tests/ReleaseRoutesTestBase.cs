using System.Text.Json;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A service whose user wrote a debug route before the default route, released by a workflow of header or mirror
/// route steps: what the tests of a release's own routes start from, and how they read the routes back.
/// </summary>
public abstract class ReleaseRoutesTestBase(EtcdFixture etcd, string steps, string? workflowExtra = null) : ControllerTestBase(etcd)
{
    /// <summary>The service with its workflow (its steps, and <c>workflowExtra</c>'s settings), live instances, and the user's VirtualService: a debug route, then the default.</summary>
    protected async Task<VirtualService> StartAsync(string service)
    {
        await H.ServiceAsync(service, steps, workflowExtra, "v1", "v2");
        await H.ApplyAsync(UserRoutesYaml(service));
        return await RoutesAsync(service);
    }

    /// <summary>The user's routes of <paramref name="service"/>, with the default route's weights given (as an apply during a release writes them).</summary>
    protected static string UserRoutesYaml(string service, int? canaryWeight = null) =>
        TestMeshes.VirtualService(service, [
            TestMeshes.Match(service, "stable", header: "x-debug", value: "1", name: "debug"),
            canaryWeight is { } canary ? TestMeshes.Split(service, ("stable", 100 - canary), ("canary", canary)) : TestMeshes.To(service, "stable")]);

    protected async Task<VirtualService> RoutesAsync(string service) =>
        (await H.Documents.ListAsync(DocumentKind.VirtualService, default)).OfType<VirtualService>().Single(v => v.Spec.Hosts.Contains(service));

    protected static string Json(HttpRoute route) => JsonSerializer.Serialize(route);
}
