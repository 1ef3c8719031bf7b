using LightMesh.Core.Analysis;

namespace LightMesh.Core.Tests.Analysis;

public sealed class MetricRunTests
{
    private static MetricRun Run(string? success, string? failure) =>
        new(new AnalysisMetric { Name = "error-ratio", Query = "q" }, Parse(success), Parse(failure));

    private static BoundCondition? Parse(string? text) => text is null ? null : Condition.TryParse(text, out _)!.Bind();

    [Theory]
    [InlineData(0.01, MeasurementPhase.Successful)]
    [InlineData(0.1, MeasurementPhase.Inconclusive)]
    [InlineData(0.4, MeasurementPhase.Failed)]
    public void Add_BothConditions_AValueMeetingNeitherIsInconclusive(double value, MeasurementPhase expected) =>
        Assert.Equal(expected, Run("result < 0.05", "result > 0.2").Add(new QueryAnswer([value]), DateTimeOffset.UnixEpoch).Phase);

    [Fact]
    public void Add_OnlyASuccessCondition_MissingItFails() =>
        Assert.Equal(MeasurementPhase.Failed, Run("result < 0.05", null).Add(new QueryAnswer([0.1]), DateTimeOffset.UnixEpoch).Phase);
}
