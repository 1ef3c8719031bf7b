using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

public sealed class AnalyzeVerbTests : IAsyncLifetime
{
    private PrometheusServer? _prometheus;
    private string _template = "";

    public async Task InitializeAsync()
    {
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30);
        var times = OpenMetrics.Times(end - TimeSpan.FromMinutes(10), end, TimeSpan.FromSeconds(10));
        _prometheus = await PrometheusServer.StartAsync(new OpenMetrics().Gauge("error_ratio", "service=\"checkout\",version=\"v2\"", times, _ => 0.01).ToString());
        _template = Path.Combine(Directory.CreateTempSubdirectory().FullName, "template.yaml");
        await File.WriteAllTextAsync(_template, """
            apiVersion: lightmesh.io/v1
            kind: AnalysisTemplate
            metadata: {name: error-ratio}
            spec:
              args:
              - {name: limit, value: "0.05"}
              metrics:
              - name: error-ratio
                provider:
                  prometheus:
                    query: 'error_ratio{service="{{service}}",version="{{canary}}"}'
                interval: 1s
                count: 2
                successCondition: result < {{limit}}
            """);
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }
    }

    private Task<Result> Analyze(params string[] args) =>
        RunAsync(["analyze", "--template", _template, "--prometheus", _prometheus!.Address.ToString(), "--arg", "service=checkout", .. args]);

    [Fact]
    public async Task Analyze_HealthyCanary_ExitsZeroWithEveryMeasurement()
    {
        var result = await Analyze("--arg", "canary=v2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, result.Stdout.Split('\n').Count(l => l.Contains("0.01 meets result < 0.05", StringComparison.Ordinal)));
        Assert.Contains("successful:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_FailingCondition_ExitsOne() =>
        Assert.Equal(1, (await Analyze("--arg", "canary=v2", "--arg", "limit=0.001", "--count", "1")).ExitCode);

    [Fact]
    public async Task Analyze_NoData_ExitsSix() =>
        Assert.Equal(6, (await Analyze("--arg", "canary=v9", "--count", "1")).ExitCode);

    [Fact]
    public async Task Analyze_MissingArgument_FailsNamingIt()
    {
        var result = await RunAsync("analyze", "--template", _template, "--prometheus", _prometheus!.Address.ToString(), "--count", "1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no value for arguments service, canary", result.Stdout, StringComparison.Ordinal);
    }
}
