using System.Diagnostics;
using LightMesh.Processes;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>The demo Prometheus's configuration, as Prometheus's own checker reads it.</summary>
public sealed class PrometheusConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lightmesh-promconfig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(500, 1000)]
    [InlineData(1000, 1000)]
    public async Task Render_Promtool_AcceptsItWithTheGivenIntervals(int scrapeMilliseconds, int refreshMilliseconds)
    {
        var tokenFile = Path.Combine(_dir, "prometheus-token");
        await File.WriteAllTextAsync(tokenFile, "secret");
        var options = Options(TimeSpan.FromMilliseconds(scrapeMilliseconds), TimeSpan.FromMilliseconds(refreshMilliseconds));
        var config = Path.Combine(_dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, PrometheusConfig.Render(options, tokenFile));

        var check = await CliProcess.RunAsync(new ProcessStartInfo(Executables.Require("promtool", "prometheus"), ["check", "config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        });

        Assert.True(check.ExitCode == 0, check.ToString());
        var text = await File.ReadAllTextAsync(config);
        Assert.Contains($"scrape_interval: {PrometheusConfig.Duration(options.ScrapeInterval)}\n", text, StringComparison.Ordinal);
        Assert.Contains($"refresh_interval: {PrometheusConfig.Duration(options.DiscoveryRefreshInterval)}\n", text, StringComparison.Ordinal);
        Assert.Contains($"credentials_file: \"{tokenFile}\"\n", text, StringComparison.Ordinal);
        Assert.Contains("url: \"http://127.0.0.1:8080/api/v1/sd/prometheus\"\n", text, StringComparison.Ordinal);
        Assert.Contains("targets: [\"127.0.0.1:8080\"]\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Duration_WholeSecondsOrMilliseconds_AsPrometheusWritesThem()
    {
        Assert.Equal("1s", PrometheusConfig.Duration(TimeSpan.FromSeconds(1)));
        Assert.Equal("90s", PrometheusConfig.Duration(TimeSpan.FromSeconds(90)));
        Assert.Equal("500ms", PrometheusConfig.Duration(TimeSpan.FromMilliseconds(500)));
        Assert.Equal("1500ms", PrometheusConfig.Duration(TimeSpan.FromMilliseconds(1500)));
    }

    [Fact]
    public void Check_WrongOptions_NamesEveryOne()
    {
        var options = Options(TimeSpan.Zero, TimeSpan.FromTicks(5)) with { DiscoveryToken = " ", ControllerMetricsUrl = new Uri("ftp://x/metrics") };

        Assert.Equal(
            [
                "DiscoveryRefreshInterval: 00:00:00.0000005 must be a positive whole number of milliseconds",
                "ScrapeInterval: 00:00:00 must be a positive whole number of milliseconds",
                "EvaluationInterval: 00:00:00 must be a positive whole number of milliseconds",
                "ControllerMetricsUrl: \"ftp://x/metrics\" must be an absolute http:// or https:// URL",
                "DiscoveryToken: must not be empty",
            ],
            options.Check());
    }

    private static LocalPrometheusOptions Options(TimeSpan scrape, TimeSpan refresh) => new()
    {
        DiscoveryUrl = new Uri("http://127.0.0.1:8080/api/v1/sd/prometheus"),
        DiscoveryToken = "secret",
        DiscoveryRefreshInterval = refresh,
        ControllerMetricsUrl = new Uri("http://127.0.0.1:8080/metrics"),
        ScrapeInterval = scrape,
        EvaluationInterval = scrape,
    };
}
