using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LightMesh.Core;
using LightMesh.Core.Security;
using LightMesh.Etcd;
using LightMesh.Host;
using LightMesh.Host.Configuration;
using LightMesh.Host.Security;
using LightMesh.Processes;
using LightMesh.Testing;
using Microsoft.Extensions.Configuration;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A controller started in code reads the server settings from its configuration as <c>lightmesh server</c> does (the
/// same table, the same validators at start), and the engine's options are checked whichever way they were given.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ControllerSettingsTests(EtcdFixture etcd)
{
    private static readonly string Token = TokenHash.NewToken();

    [Fact]
    public async Task Start_ServerSettingsInConfiguration_OverrideTheValuesGivenInCode()
    {
        var api = $"http://127.0.0.1:{LoopbackPort.Free()}";
        var settings = ControllerHarness.TokenSettings(0, "test", Roles.Viewer, Token);
        settings["LightMesh:Server:Name"] = $"from-settings-{Guid.NewGuid():N}";
        settings["LightMesh:Server:Listen"] = api;

        await using var server = await ControllerServer.StartAsync(
            new EtcdOptions { Endpoints = etcd.Endpoint, Prefix = etcd.NewPrefix() }, Options(settings) with { Listen = "http://127.0.0.1:1" }, null, default);

        using var http = new HttpClient { DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        var controller = JsonNode.Parse(await http.GetStringAsync(new Uri($"{api}/api/v1/controller")));
        Assert.Equal(settings["LightMesh:Server:Name"], controller!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Start_WrongSettingsAndEngineValues_FailBeforeStarting_NamingEveryKeyAndProperty()
    {
        var settings = ControllerHarness.TokenSettings(0, "test", Roles.Viewer, Token);
        settings["LightMesh:Engine:PollInterval"] = "0s";
        settings["LightMesh:Server:Nme"] = "typo";
        var options = Options(settings) with { Engine = new ReleaseEngineOptions { Candidate = "test", BackgroundInterval = TimeSpan.Zero, ReleaseHistory = 0 } };

        // No etcd: the start stops before anything connects.
        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            ControllerServer.StartAsync(new EtcdOptions { Endpoints = "http://127.0.0.1:1", Prefix = "/unused/" }, options, null, default));

        Assert.Contains("LightMesh:Server:Nme: not a setting; LightMesh:Server has Listen, XdsListen", error.Message, StringComparison.Ordinal);
        Assert.Contains("LightMesh:Engine:PollInterval: \"0s\" must be at least 1ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("ReleaseEngineOptions.BackgroundInterval: 0s must be at least 1ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("ReleaseEngineOptions.ReleaseHistory: 0 must be at least 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReleaseEngineOptionsValidator_PassesTheDefaults_AndTheSmallestValueOfEverySetting()
    {
        var smallest = new Dictionary<string, string?>
        {
            ["LightMesh:Engine:LeaseTtl"] = "1s", ["LightMesh:Engine:DrainDelay"] = "0s", ["LightMesh:Engine:ConvergenceTimeout"] = "1ms",
            ["LightMesh:Engine:DeployTimeout"] = "1ms", ["LightMesh:Engine:PollInterval"] = "1ms", ["LightMesh:Engine:BackgroundInterval"] = "1s",
            ["LightMesh:Engine:RetryDelay"] = "100ms", ["LightMesh:Engine:MaxRetryDelay"] = "100ms", ["LightMesh:Engine:RecheckInterval"] = "1s",
            ["LightMesh:Engine:MaxConcurrentReleases"] = "1", ["LightMesh:Engine:MeasurementRetention"] = "1", ["LightMesh:Engine:ReleaseHistory"] = "1",
            ["LightMesh:Engine:ReleaseHistoryAge"] = "1m",
        };

        var (options, errors) = ServerSettings.Resolve(new ConfigurationBuilder().AddInMemoryCollection(smallest).Build(), new Dictionary<string, string>());

        Assert.Empty(errors);
        Assert.Empty(ReleaseEngineOptionsValidator.Problems(new ReleaseEngineOptions()));
        Assert.Equal(TimeSpan.FromMilliseconds(1), options.Controller.Engine.PollInterval);
    }

    private static ControllerOptions Options(Dictionary<string, string?> settings) => new()
    {
        Listen = $"http://127.0.0.1:{LoopbackPort.Free()}", XdsListen = $"127.0.0.1:{LoopbackPort.Free()}", RunReleases = false, Settings = settings,
        Engine = new ReleaseEngineOptions { Candidate = $"test-{Guid.NewGuid():N}" },
    };
}
