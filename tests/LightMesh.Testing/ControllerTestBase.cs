using LightMesh.Releases;
namespace LightMesh.Testing;

/// <summary>A test class each of whose tests gets a controller of its own (<see cref="ControllerHarness"/>), stopped after the test.</summary>
/// <param name="runReleases">False for an API-only controller: releases start and are stored, but nothing runs them and no schedule fires.</param>
public abstract class ControllerTestBase(EtcdFixture etcd, bool runReleases = true) : IAsyncLifetime
{
    private ControllerHarness? _harness;

    /// <summary>This test's controller.</summary>
    protected ControllerHarness H => _harness!;

    /// <summary>How this class's controllers differ from the harness's engine settings; none by default.</summary>
    protected virtual Func<ReleaseEngineOptions, ReleaseEngineOptions>? Engine => null;

    public virtual async Task InitializeAsync() => _harness = await ControllerHarness.StartAsync(etcd, runReleases, engine: Engine);

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }
}
