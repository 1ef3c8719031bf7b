using System.Buffers.Binary;
using LightMesh.Core.Releases;
using LightMesh.Testing;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>
/// The console's screenshots in the README (<c>docs/console/</c>), made from a real controller with a release that
/// succeeded, one that rolled back and one paused at 25%: the releases list, the rolled back release, and the mesh.
/// They are written to a temporary directory, or to the directory <c>LIGHTMESH_SCREENSHOTS</c> names (relative to the
/// repository): <c>LIGHTMESH_SCREENSHOTS=docs/console ./test.sh --filter ConsoleScreenshotTests</c> makes the README's.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ConsoleScreenshotTests(EtcdFixture etcd, ChromiumFixture chromium) : ControllerTestBase(etcd), IClassFixture<ChromiumFixture>
{
    public const string DirectoryVariable = "LIGHTMESH_SCREENSHOTS";
    private const int Width = 1280;

    [Fact]
    public async Task Screenshots_OfTheReleasesList_ARolledBackRelease_AndTheMesh_AreWritten()
    {
        var kept = Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } given ? Path.Combine(Repository.Root, given) : null;
        var directory = kept ?? Directory.CreateTempSubdirectory("lightmesh-console-").FullName;
        Directory.CreateDirectory(directory);
        try
        {
            await ShootAsync(directory);
        }
        finally
        {
            if (kept is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private async Task ShootAsync(string directory)
    {

        await H.ServiceAsync("alpha", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [error-ratio]}\n  - setWeight: 50\n  - promote: {}", null, "v1", "v2");
        await H.ServiceAsync("delta", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [error-ratio]}\n  - setWeight: 50\n  - promote: {}", null, "v1", "v3");
        await H.ServiceAsync("zeta", "  - deploy: {}\n  - setWeight: 25\n  - pause: {}\n  - promote: {}", null, "v1", "v2");
        await using var extras = await MeshSample.AddAsync(H, DateTimeOffset.UtcNow.AddDays(1));
        var succeeded = await H.StartAsync("alpha", "v2");
        var rolledBack = await H.StartAsync("delta", "v3");
        var paused = await H.StartAsync("zeta", "v2");
        await H.WaitForPhaseAsync(succeeded.Id, ReleasePhase.Succeeded);
        await H.WaitForPhaseAsync(rolledBack.Id, ReleasePhase.RolledBack);
        await H.WaitForPhaseAsync(paused.Id, ReleasePhase.Paused);
        await MeshSample.ReportProxyAsync(H);

        var page = await chromium.SignedInPageAsync(H.Api, ControllerHarness.OperatorToken);
        await page.SetViewportSizeAsync(Width, 800);
        var shots = new (string File, string Path, string Shows)[]
        {
            ("releases.png", "console/", $"tr[data-release='{paused.Id}']"),
            ("release-rolled-back.png", $"console/releases/{rolledBack.Id}", "figure.analysis"),
            ("mesh.png", "console/mesh", "#proxies tr[data-proxy='proxy-elsewhere']"),
        };
        foreach (var (file, path, shows) in shots)
        {
            // Read again until it shows (the other controller's proxy reaches this one's view through a watch).
            await Poll.UntilAsync(
                async () =>
                {
                    await page.GotoAsync(new Uri(H.Api, path).ToString());
                    return await page.Locator(shows).CountAsync();
                },
                count => count > 0, TimeSpan.FromSeconds(20), $"{shows} on {path}");
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, file), FullPage = true });
        }

        foreach (var (file, _, _) in shots)
        {
            // A PNG, as wide as the window, and taller than a header.
            var bytes = await File.ReadAllBytesAsync(Path.Combine(directory, file));
            Assert.True(bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), $"{file}: not a PNG");
            Assert.Equal(Width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
            Assert.True(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)) >= 400, $"{file}: shorter than a page");
        }
    }
}
