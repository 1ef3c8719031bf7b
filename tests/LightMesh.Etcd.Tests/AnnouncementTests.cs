using LightMesh.Etcd.Scheduling;
using LightMesh.Testing;

namespace LightMesh.Etcd.Tests;

/// <summary>
/// A service's announced version: a newer build replaces it, an older one never does, also when the caller decided on
/// a read that another announcement overtook.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class AnnouncementTests(EtcdFixture etcd) : IDisposable
{
    private static readonly DateTimeOffset Morning = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    private ScheduleStore Store => new(_connection);

    public void Dispose() => _connection.Dispose();

    private static Announcement Build(string version, int hour) => new("checkout", version, null, "ci", Morning, Morning.AddHours(hour));

    [Fact]
    public async Task AnnounceAsync_OnAReadANewerBuildOvertook_KeepsTheNewerBuild()
    {
        var read = await Store.ReadAnnouncementAsync("checkout", default);
        Assert.Null(await Store.AnnounceAsync(Build("v3", 2), default));

        var kept = await Store.AnnounceAsync(Build("v2", 1), default, read);

        Assert.Equal("v3", kept?.Version);
        Assert.Equal("v3", (await Store.AnnouncementAsync("checkout", default))?.Version);
    }

    [Fact]
    public async Task AnnounceAsync_OnAReadAnOlderBuildOvertook_ReplacesIt()
    {
        var read = await Store.ReadAnnouncementAsync("checkout", default);
        Assert.Null(await Store.AnnounceAsync(Build("v2", 1), default));

        Assert.Null(await Store.AnnounceAsync(Build("v3", 2), default, read));

        Assert.Equal("v3", (await Store.AnnouncementAsync("checkout", default))?.Version);
    }
}
