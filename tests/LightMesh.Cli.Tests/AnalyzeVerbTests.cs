using LightMesh.Processes;
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
        // v2 is a healthy canary; v3 a regressed one, with an error ratio of 0.107.
        _prometheus = await PrometheusServer.StartAsync(new OpenMetrics()
            .Gauge("error_ratio", "service=\"checkout\",version=\"v2\"", times, _ => 0.01)
            .Gauge("error_ratio", "service=\"checkout\",version=\"v3\"", times, _ => 0.107).ToString());
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
    public async Task Analyze_NoData_ExitsSix_SayingWhereToTryTheQuery()
    {
        var result = await Analyze("--arg", "canary=v9", "--count", "1");

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains($"a query that matches no series has no data: try it in Prometheus ({_prometheus!.Address}graph)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_PrometheusUnreachable_ExitsFive_SayingWhatToDo()
    {
        var closed = LoopbackPort.Free();
        var result = await RunAsync(["analyze", "--template", _template, "--prometheus", $"http://127.0.0.1:{closed}/", "--arg", "service=checkout", "--arg", "canary=v2", "--count", "1", "--interval", "1s"]);

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains($"error: Prometheus at http://127.0.0.1:{closed}/ could not be reached; is it running there? Start it, or point --prometheus at yours", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_ArgumentThatIsAnExpression_ExitsTwoNamingIt_WhereTheRegressedCanaryPassed()
    {
        // Substituted as text, "0.02 or true" made the condition "result < 0.02 or true": exit 0 on an error ratio of 0.107.
        var hostile = await Analyze("--arg", "canary=v3", "--arg", "limit=0.02 or true", "--count", "1");
        var honest = await Analyze("--arg", "canary=v3", "--arg", "limit=0.02", "--count", "1");

        Assert.True(hostile.ExitCode == 2, hostile.ToString());
        Assert.Contains("error: --arg limit: \"0.02 or true\" is not a number (a number is written like 0.05, -2 or 1e-3), which successCondition of error-ratio/error-ratio needs", hostile.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("0.107", hostile.Stdout, StringComparison.Ordinal);
        Assert.True(honest.ExitCode == 1, honest.ToString());
        Assert.Contains("0.107 does not meet result < 0.02", honest.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_UndeclaredArgument_ExitsTwoNamingItAndTheTemplate()
    {
        var result = await Analyze("--arg", "canary=v2", "--arg", "lmit=0.1", "--count", "1");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("error: --arg lmit: is not declared by the AnalysisTemplate this analysis runs: error-ratio (limit)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_MissingArgument_FailsNamingIt()
    {
        var result = await RunAsync("analyze", "--template", _template, "--prometheus", _prometheus!.Address.ToString(), "--count", "1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no value for arguments service, canary", result.Stdout, StringComparison.Ordinal);
    }
}
