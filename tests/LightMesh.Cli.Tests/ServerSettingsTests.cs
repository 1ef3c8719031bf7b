using System.Reflection;
using LightMesh.Cli.Commands;
using LightMesh.Host.Configuration;
using LightMesh.Testing;
using Microsoft.Extensions.Configuration;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Tests;

/// <summary>
/// The table of server settings on its own: which source wins, every wrong value named with its source at once, and
/// the flags, the table and the README agreeing on each setting.
/// </summary>
public sealed class ServerSettingsTests
{
    [Fact]
    public void Resolve_NothingSet_GivesTheOptionsDefaults()
    {
        var (options, errors) = ServerSettings.Resolve(Configuration(), new Dictionary<string, string>());

        Assert.Empty(errors);
        Assert.Equal(new ServerOptions().Etcd, options.Etcd);
        Assert.Equal(new ServerOptions().Controller.Engine, options.Controller.Engine);
        Assert.Equal("http://127.0.0.1:8080", options.Controller.Listen);
    }

    [Fact]
    public void Resolve_SidecarXds_IsEveryControllerGiven_ElseTheControllersOwn_AndAWrongListIsNamed()
    {
        var (listed, errors) = ServerSettings.Resolve(Configuration(), new Dictionary<string, string> { ["--sidecar-xds"] = "10.0.0.5:18000, cp-2:18001" });
        var (own, _) = ServerSettings.Resolve(Configuration(), new Dictionary<string, string> { ["--xds-listen"] = "10.0.0.7:18002" });
        var (_, wrong) = ServerSettings.Resolve(Configuration(), new Dictionary<string, string> { ["--sidecar-xds"] = "10.0.0.5:18000,nowhere" });

        Assert.Empty(errors);
        Assert.Equal([("10.0.0.5", 18000), ("cp-2", 18001)], listed.Controller.SidecarXdsEndpoints);
        Assert.Equal([("10.0.0.7", 18002)], own.Controller.SidecarXdsEndpoints);
        Assert.Equal(["--sidecar-xds: \"10.0.0.5:18000,nowhere\" must be HOST:PORT, or several comma-separated"], wrong);
    }

    [Fact]
    public void Resolve_LaterSourceWins_AndAFlagWinsOverAll()
    {
        var file = new Dictionary<string, string?>
        {
            ["LightMesh:Engine:LeaseTtl"] = "3s", ["LightMesh:Engine:DrainDelay"] = "1m", ["LightMesh:Etcd:Prefix"] = "/file/",
        };
        var environment = new Dictionary<string, string?> { ["LightMesh:Engine:DrainDelay"] = "250ms", ["LightMesh:Etcd:Prefix"] = "/environment/" };

        var (options, errors) = ServerSettings.Resolve(Configuration(file, environment), new Dictionary<string, string> { ["--prefix"] = "/flag/" });

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Controller.Engine.LeaseTtl);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Controller.Engine.DrainDelay);
        Assert.Equal("/flag/", options.Etcd.Prefix);
    }

    [Fact]
    public void Resolve_EveryWrongValue_IsNamedAtOnce()
    {
        var configuration = Configuration(new Dictionary<string, string?>
        {
            ["LightMesh:Server:Prometheus"] = "prometheus:9090", ["LightMesh:Engine:PollInterval"] = "0s", ["LightMesh:Engine:Typo"] = "1",
        });

        var (_, errors) = ServerSettings.Resolve(configuration, new Dictionary<string, string> { ["--xds-listen"] = "127.0.0.1", ["--name"] = " " });

        Assert.Equal(
        [
            "--xds-listen: \"127.0.0.1\" must be IP:PORT",
            "LightMesh:Server:Prometheus: \"prometheus:9090\" must be an http:// or https:// URL",
            "--name: \" \" must be a name: printable, not empty, without '/'",
            "LightMesh:Engine:PollInterval: \"0s\" must be at least 1ms",
            "LightMesh:Engine:Typo: not a setting; LightMesh:Engine has LeaseTtl, DrainDelay, ConvergenceTimeout, DeployTimeout, PollInterval, BackgroundInterval, RetryDelay, MaxRetryDelay, RecheckInterval, ScheduleInterval, GroupInterval, MaxConcurrentReleases, MeasurementRetention, ReleaseHistory, ReleaseHistoryAge, EtcdCompactionInterval",
        ], errors);
    }

    [Fact]
    public void Resolve_HistoryAndMessageSizeSettings_AreReadFromAnySource_AndWrongValuesNamed()
    {
        var file = new Dictionary<string, string?> { ["LightMesh:Engine:ReleaseHistory"] = "5", ["LightMesh:Etcd:MaxMessageSize"] = "64MiB" };
        var flags = new Dictionary<string, string> { ["--release-history-age"] = "168h", ["--measurement-retention"] = "3" };

        var (options, errors) = ServerSettings.Resolve(Configuration(file), flags);
        var (_, wrong) = ServerSettings.Resolve(Configuration(), new Dictionary<string, string>
        {
            ["--release-history"] = "0", ["--release-history-age"] = "30s", ["--measurement-retention"] = "many", ["--etcd-max-message-size"] = "512KiB",
        });

        Assert.Empty(errors);
        Assert.Equal((5, TimeSpan.FromDays(7), 3), (options.Controller.Engine.ReleaseHistory, options.Controller.Engine.ReleaseHistoryAge, options.Controller.Engine.MeasurementRetention));
        Assert.Equal(64 * 1024 * 1024, options.Etcd.MaxMessageSize);
        Assert.Equal(
        [
            "--measurement-retention: \"many\" must be a whole number 1..1000",
            "--release-history: \"0\" must be a whole number 1..100000",
            "--release-history-age: \"30s\" must be at least 1m",
            "--etcd-max-message-size: \"512KiB\" must be a size of 1MiB..1024MiB: bytes, or a whole number with KiB or MiB",
        ], wrong);
    }

    [Fact]
    public void Resolve_EtcdCompactionInterval_IsOffAtZeroAndAtLeastAMinuteOtherwise()
    {
        TimeSpan Read(string text)
        {
            var (options, errors) = ServerSettings.Resolve(Configuration(), new Dictionary<string, string> { ["--etcd-compaction-interval"] = text });
            Assert.Empty(errors);
            return options.Controller.Engine.EtcdCompactionInterval;
        }

        var (defaults, _) = ServerSettings.Resolve(Configuration(), new Dictionary<string, string>());
        var (_, wrong) = ServerSettings.Resolve(Configuration(new Dictionary<string, string?> { ["LightMesh:Engine:EtcdCompactionInterval"] = "30s" }), new Dictionary<string, string>());
        var (_, notADuration) = ServerSettings.Resolve(Configuration(), new Dictionary<string, string> { ["--etcd-compaction-interval"] = "often" });

        Assert.Equal(TimeSpan.FromMinutes(5), defaults.Controller.Engine.EtcdCompactionInterval);
        Assert.Equal(TimeSpan.Zero, Read("0s"));
        Assert.Equal(TimeSpan.FromHours(1), Read("1h"));
        Assert.Equal(["LightMesh:Engine:EtcdCompactionInterval: \"30s\" must be 0s (off) or at least 1m"], wrong);
        Assert.Equal(["--etcd-compaction-interval: \"often\" must be a duration such as 500ms, 10s or 5m"], notADuration);
    }

    [Fact]
    public void Resolve_ScheduleAndGroupIntervals_AreReadAndTooShortOnesNamed()
    {
        var (options, errors) = ServerSettings.Resolve(
            Configuration(new Dictionary<string, string?> { ["LightMesh:Engine:GroupInterval"] = "5s" }), new Dictionary<string, string> { ["--schedule-interval"] = "10s" });
        var (_, wrong) = ServerSettings.Resolve(Configuration(), new Dictionary<string, string> { ["--schedule-interval"] = "10ms", ["--group-interval"] = "soon" });

        Assert.Empty(errors);
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)), (options.Controller.Engine.ScheduleInterval, options.Controller.Engine.GroupInterval));
        Assert.Equal(
        [
            "--schedule-interval: \"10ms\" must be at least 100ms",
            "--group-interval: \"soon\" must be a duration such as 500ms, 10s or 5m",
        ], wrong);
    }

    [Fact]
    public void Defaults_AsShown_ReadBackToTheOptionsDefaults()
    {
        var defaults = new ServerOptions();
        foreach (var setting in ServerSettings.All.Where(s => s.Flag != "--name" && !s.Optional))
        {
            var (options, problem) = setting.Read(defaults, setting.Default);

            Assert.True(problem is null, $"{setting.Flag}: the default {setting.Default} {problem}");
            Assert.Equal(defaults.Etcd, options!.Etcd);
            Assert.Equal(defaults.Controller.Engine, options.Controller.Engine);
            Assert.Equal((defaults.Controller.Listen, defaults.Controller.XdsListen), (options.Controller.Listen, options.Controller.XdsListen));
        }
    }

    [Fact]
    public void ServerCommand_DeclaresExactlyTheTablesFlags()
    {
        var declared = typeof(ServerCommand.Settings).GetProperties()
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>()?.LongNames[0])
            .OfType<string>()
            .Select(name => $"--{name}")
            .Except(["--config", "--output"]);

        Assert.Equal(ServerSettings.All.Select(s => s.Flag).Order(StringComparer.Ordinal), declared.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Readme_HasARowForEverySetting()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));

        foreach (var setting in ServerSettings.All)
        {
            Assert.Contains($"| `{setting.Key}` | `{setting.Flag}` | `{setting.Default}` |", readme, StringComparison.Ordinal);
        }
    }

    /// <summary>Layered like the controller's sources (file, then environment), in memory.</summary>
    private static IConfigurationRoot Configuration(params Dictionary<string, string?>[] layers)
    {
        var builder = new ConfigurationBuilder();
        foreach (var layer in layers)
        {
            builder.AddInMemoryCollection(layer);
        }

        return builder.Build();
    }
}
