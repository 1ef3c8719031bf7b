using LightMesh.Demo;
using LightMesh.Core;

namespace LightMesh.Cli.Tests.Demo;

public sealed class ImageChangesTests
{
    [Fact]
    public void Changes_TagWithErrorRate_RunsTheAppOnTheRuntimeWithTheTagsVariablesLast() =>
        Assert.Equal(
            [
                """ENTRYPOINT ["/usr/share/dotnet/dotnet","/app/LightMesh.Demo.Service.dll"]""",
                "WORKDIR /app",
                "ENV DOTNET_ROOT=\"/usr/share/dotnet\"",
                "ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=\"1\"",
                "ENV ERROR_RATE=\"0.5\"",
            ],
            DemoImage.Changes("/usr/share/dotnet", new DemoImageTag("v3") { Environment = new Dictionary<string, string> { ["ERROR_RATE"] = "0.5" } }));

    [Fact]
    public void Compose_ValueWithQuotesDollarsAndSpaces_IsQuotedToArriveAsWritten() =>
        Assert.Equal(
            "ENV GREETING=\"say \\\"hi\\\" to \\$USER \\\\o/\"",
            ImageChanges.Compose(["/x"], "/", [new("GREETING", "say \"hi\" to $USER \\o/")])[2]);

    [Fact]
    public void Compose_BadVariableNames_FailsNamingEach()
    {
        var e = Assert.Throws<InvalidInputException>(() => ImageChanges.Compose(["/x"], "/", [new("A=B", "1"), new("OK", "2"), new("TWO WORDS", "3")]));
        Assert.Equal("not environment variable names: \"A=B\", \"TWO WORDS\"", e.Message);
    }
}
