using LightMesh.Host.OperatorConsole;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>How a release's age reads in the console's list.</summary>
public sealed class ReleaseRowTests
{
    [Theory]
    [InlineData(-5, "0s")]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m")]
    [InlineData(3599, "59m")]
    [InlineData(3600 + 5 * 60, "1h 5m")]
    [InlineData(86399, "23h 59m")]
    [InlineData(2 * 86400 + 4 * 3600 + 59, "2d 4h")]
    public void Age_ReadsInTheLargestUnitsThatFit(int seconds, string age) =>
        Assert.Equal(age, ReleaseRow.AgeOf(TimeSpan.FromSeconds(seconds)));
}
