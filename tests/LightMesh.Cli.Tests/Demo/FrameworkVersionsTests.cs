using LightMesh.Demo;
using LightMesh.Core;

namespace LightMesh.Cli.Tests.Demo;

public sealed class FrameworkVersionsTests
{
    [Theory]
    [InlineData("10.0.0", new[] { "8.0.11", "10.0.3", "10.0.12", "10.1.0", "11.0.0" }, "10.0.12")]
    [InlineData("10.0.5", new[] { "10.0.3", "10.0.5" }, "10.0.5")]
    [InlineData("10.0.0", new[] { "10.0.2", "10.0.9", "10.0.10" }, "10.0.10")]
    [InlineData("10.0.0", new[] { "10.0.1", "10.0.2-rc.1.25451.107" }, "10.0.1")]
    [InlineData("10.0.0-rc.1", new[] { "10.0.0-rc.1", "10.0.0-rc.2", "10.0.0" }, "10.0.0")]
    [InlineData("10.0.0-rc.1", new[] { "10.0.0-rc.1", "10.0.0-rc.2" }, "10.0.0-rc.2")]
    public void Choose_Installed_IsTheHighestPatchOfTheSameMajorMinor(string requested, string[] installed, string expected) =>
        Assert.Equal(expected, FrameworkVersions.Choose(requested, installed));

    [Theory]
    [InlineData("10.0.5", new[] { "10.0.3", "9.0.8", "10.1.0" })]
    [InlineData("10.0.0", new[] { "10.0.1-preview.1", "not-a-version" })]
    [InlineData("10.0.0", new string[0])]
    public void Choose_NoPatchOfThatMajorMinor_IsNull(string requested, string[] installed) =>
        Assert.Null(FrameworkVersions.Choose(requested, installed));

    [Fact]
    public void Choose_RequestedIsNotAVersion_Fails() =>
        Assert.Throws<LightMeshException>(() => FrameworkVersions.Choose("10", ["10.0.1"]));

    [Fact]
    public void Highest_HostFxrVersions_ComparesNumbersNotText() =>
        Assert.Equal("10.0.12", FrameworkVersions.Highest(["10.0.9", "10.0.12", "8.0.20", "stray"]));

    [Fact]
    public void FromRuntimeConfig_WebApp_GivesBothFrameworks()
    {
        const string json = """
            {"runtimeOptions": {"tfm": "net10.0", "frameworks": [
              {"name": "Microsoft.NETCore.App", "version": "10.0.0"},
              {"name": "Microsoft.AspNetCore.App", "version": "10.0.0"}],
             "configProperties": {"System.GC.Server": true}}}
            """;

        Assert.Equal(
            [new FrameworkReference("Microsoft.NETCore.App", "10.0.0"), new FrameworkReference("Microsoft.AspNetCore.App", "10.0.0")],
            FrameworkVersions.FromRuntimeConfig(json));
    }

    [Fact]
    public void FromRuntimeConfig_SingleFramework_GivesIt() =>
        Assert.Equal(
            [new FrameworkReference("Microsoft.NETCore.App", "8.0.0")],
            FrameworkVersions.FromRuntimeConfig("""{"runtimeOptions": {"framework": {"name": "Microsoft.NETCore.App", "version": "8.0.0"}}}"""));

    [Fact]
    public void FromRuntimeConfig_SelfContained_FailsSayingSo()
    {
        var e = Assert.Throws<LightMeshException>(() => FrameworkVersions.FromRuntimeConfig("""{"runtimeOptions": {"tfm": "net10.0", "includedFrameworks": []}}"""));
        Assert.Contains("self-contained", e.Message, StringComparison.Ordinal);
    }
}
